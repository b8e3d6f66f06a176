import { Option, type Command } from 'commander';
import { readFileSync } from 'node:fs';
import { BUILTIN_SECRET_ENV, SOURCE_KINDS, type Secret, type SourceKind, type TenureConfig } from '../../config/index.ts';
import { devSecrets } from '../../devstack/index.ts';
import { CliError, config } from '../common.ts';
import { sendEvent } from '../send.ts';
import { describe } from './index.ts';

/** The source to deliver to: its URL segment, the sender kind to sign as, and its secret. */
function target(cfg: TenureConfig, options: { as?: SourceKind; source?: string }): { name: string; kind: SourceKind; secret: Secret } {
  const name = options.source ?? options.as ?? 'generic';
  if (name === 'generic') {
    if (options.as && options.as !== 'generic') throw new CliError(`the source 'generic' takes Standard Webhooks deliveries; drop --as ${options.as}`);
    return { name, kind: 'generic', secret: cfg.webhookSecret ?? devSecrets(cfg.home).webhookSecret };
  }
  const source = cfg.sources.find((s) => s.name === name);
  if (!source) {
    const known = ['generic', ...cfg.sources.map((s) => s.name)].join(', ');
    if ((SOURCE_KINDS as readonly string[]).includes(name)) {
      throw new CliError(`${BUILTIN_SECRET_ENV[name as SourceKind]} is not set, so this machine cannot sign as ${name}. Set it to the secret the server uses (configured sources: ${known})`);
    }
    throw new CliError(`no source '${name}' is configured; configured sources: ${known}`);
  }
  if (options.as && options.as !== source.kind) throw new CliError(`the source '${name}' is a ${source.kind} source; sign as ${source.kind} (drop --as ${options.as})`);
  return { name, kind: source.kind, secret: source.secrets[0] as Secret };
}

export function registerSend(program: Command): void {
  program
    .command('send')
    .description(describe('send'))
    .argument('<file>', 'JSON file: an HrEvent for the generic source, or a vendor payload with --as / --source')
    .addOption(new Option('--as <kind>', 'sign as this kind of sender (default generic; its secret comes from the environment)').choices([...SOURCE_KINDS]))
    .option('--source <name>', 'deliver to this configured source (e.g. one from tenure.config.yaml), signing as its kind')
    .option('--url <url>', 'webhook URL (default: http://127.0.0.1:$PORT/webhooks/<source>)')
    .option('--id <webhookId>', "generic only: the webhook-id header (default: the event's id)")
    .action(async (file: string, options: { as?: SourceKind; source?: string; url?: string; id?: string }) => {
      const cfg = await config();
      const { name, kind, secret } = target(cfg, options);
      let body: string;
      try {
        body = readFileSync(file, 'utf8');
      } catch (error) {
        throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
      }
      const url = options.url ?? `http://127.0.0.1:${cfg.server.port}/webhooks/${name}`;
      let result;
      try {
        result = await sendEvent({ url, kind, secret, body, ...(options.id ? { messageId: options.id } : {}) });
      } catch (error) {
        throw new CliError(`could not reach ${url}: ${(error as Error).message}. Is \`npm start\` running?`);
      }
      console.log(`${result.status} ${result.body}`);
      if (result.retryAfter) console.error(`tenure: the server asks to retry after ${result.retryAfter} s`);
      if (result.status >= 300) process.exitCode = 1;
    });
}
