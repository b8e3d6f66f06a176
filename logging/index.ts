/**
 * Structured JSON logs (pino). Secrets are `Secret` objects and print `[redacted]`;
 * the redact list below also covers headers and keys that arrive as plain strings.
 *
 *   const logger = createLogger({ level: 'info' });
 *   logger.info({ runId }, 'run started');
 */
import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

export const REDACT_PATHS = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers["webhook-signature"]',
  'req.headers["x-bamboohr-signature"]',
  'req.headers["bob-signature"]',
  'adminKey',
  '*.adminKey',
  'apiKey',
  '*.apiKey',
  'secret',
  '*.secret',
  'token',
  '*.token',
];

export function createLogger(options: { level: string; name?: string; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      ...(options.name ? { name: options.name } : {}),
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}
