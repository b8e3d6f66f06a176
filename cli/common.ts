import { InvalidArgumentError } from 'commander';
import type { TenureConfig } from '../config/index.ts';

/** An error whose message is the whole story: printed without a stack trace. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

/**
 * The configuration, read from the environment once per command. Loaded when first asked
 * for: `tenure validate <file>` never needs it.
 */
export async function config(): Promise<TenureConfig> {
  const { loadConfig } = await import('../config/index.ts');
  return loadConfig(process.env);
}

/** commander parser for a TCP port option. */
export function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number between 0 and 65535');
  return n;
}

/** Resolves on the first SIGINT/SIGTERM; a second one exits at once. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const handler = (signal: NodeJS.Signals) => {
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      resolve(signal);
    };
    process.once('SIGINT', handler);
    process.once('SIGTERM', handler);
  });
}
