/**
 * The `tenure` command. Every subcommand has --help, exits non-zero on failure and
 * prints errors a person can act on.
 */
import { Command, InvalidArgumentError } from 'commander';
import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { ConfigError, loadConfig, Secret, type TenureConfig } from '../config/index.ts';
import { devSecrets, startDevStack, ToolNotFoundError, DevServerError } from '../devstack/index.ts';
import { formatProblem, loadDefinitions } from '../dsl/index.ts';
import { startEmulator } from '../emulator/index.ts';
import { createLogger } from '../logging/index.ts';
import { buildTriggerServer, genericSource } from '../triggers/index.ts';
import { startWorker } from '../workers/index.ts';
import { sendEvent } from './send.ts';
import { StoreSchemaError } from '../store/index.ts';

/** An error whose message is the whole story: printed without a stack trace. */
class CliError extends Error {
  override readonly name = 'CliError';
}

const EXPECTED_ERRORS = [CliError, ConfigError, ToolNotFoundError, DevServerError, StoreSchemaError];

function config(): TenureConfig {
  return loadConfig(process.env);
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number between 0 and 65535');
  return n;
}

/** Resolves on the first SIGINT/SIGTERM; a second one exits at once. */
function untilSignal(): Promise<NodeJS.Signals> {
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

const program = new Command()
  .name('tenure')
  .description('HR lifecycle events to durable, auditable OpenAI organization access, on Temporal.')
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) });

program
  .command('dev')
  .description('run everything on this machine: embedded Temporal (unless TEMPORAL_ADDRESS), the sandbox emulator (unless OPENAI_ADMIN_KEY), the worker and the trigger server')
  .action(async () => {
    const cfg = config();
    const logger = createLogger({ level: cfg.logLevel, name: 'tenure' });
    const stack = await startDevStack(cfg, process.env, logger, (line) => console.log(line));
    const outcome = await Promise.race([untilSignal().then((s) => ({ signal: s })), stack.failed.catch((error: Error) => ({ error }))]);
    console.log(`tenure: ${'signal' in outcome ? `${outcome.signal} received` : outcome.error.message}; stopping…`);
    const started = Date.now();
    await stack.stop();
    console.log(`tenure: stopped in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if ('error' in outcome) process.exitCode = 1;
  });

program
  .command('worker')
  .description('run a worker against TEMPORAL_ADDRESS (needs OPENAI_ADMIN_KEY)')
  .action(async () => {
    const cfg = config();
    const logger = createLogger({ level: cfg.logLevel, name: 'tenure-worker' });
    const worker = await startWorker(cfg, { logger });
    await Promise.race([untilSignal(), worker.done]);
    await worker.shutdown();
  });

program
  .command('serve')
  .description('run the trigger server against TEMPORAL_ADDRESS')
  .action(async () => {
    const cfg = config();
    if (!cfg.webhookSecret) throw new CliError('TENURE_WEBHOOK_SECRET is not set: no source would be enabled. Set it to a whsec_… secret.');
    const logger = createLogger({ level: cfg.logLevel, name: 'tenure-serve' });
    const { plans, problems } = loadDefinitions([cfg.definitionsDir]);
    for (const problem of problems) console.error(formatProblem(problem));
    const connection = await Connection.connect(cfg.temporal.connection());
    const app = buildTriggerServer({
      client: new Client({ connection, namespace: cfg.temporal.namespace }),
      taskQueue: cfg.taskQueue,
      sources: [genericSource(cfg.webhookSecret)],
      plans: () => plans,
      logger,
    });
    await app.listen({ host: cfg.server.host, port: cfg.server.port });
    await untilSignal();
    await app.close();
    await connection.close();
  });

program
  .command('emulator')
  .description('run the OpenAI Admin API emulator alone')
  .option('-p, --port <port>', 'port to listen on', port, 8787)
  .option('--host <host>', 'address to bind (control endpoints answer loopback clients only)', '127.0.0.1')
  .action(async (options: { port: number; host: string }) => {
    const adminKey = process.env.OPENAI_ADMIN_KEY;
    const emulator = await startEmulator({ port: options.port, host: options.host, ...(adminKey ? { adminKey } : {}) });
    console.log(`OpenAI emulator listening on ${emulator.baseUrl}`);
    console.log(adminKey ? 'admin key: OPENAI_ADMIN_KEY' : `admin key: ${emulator.adminKey}`);
    console.log(`state: ${emulator.url}/_emulator/state   requests: ${emulator.url}/_emulator/requests`);
    await untilSignal();
    await emulator.close();
  });

program
  .command('send')
  .description('sign an event file as the generic source (Standard Webhooks) and deliver it to the trigger server')
  .argument('<file>', 'JSON file holding one HrEvent')
  .option('--url <url>', 'webhook URL (default: http://127.0.0.1:$PORT/webhooks/generic)')
  .option('--id <webhookId>', 'webhook-id header (default: the event\'s id)')
  .action(async (file: string, options: { url?: string; id?: string }) => {
    const cfg = config();
    const secret: Secret = cfg.webhookSecret ?? devSecrets(cfg.home).webhookSecret;
    let body: string;
    try {
      body = readFileSync(file, 'utf8');
    } catch (error) {
      throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
    }
    const url = options.url ?? `http://127.0.0.1:${cfg.server.port}/webhooks/generic`;
    let result;
    try {
      result = await sendEvent({ url, secret, body, ...(options.id ? { messageId: options.id } : {}) });
    } catch (error) {
      throw new CliError(`could not reach ${url}: ${(error as Error).message}. Is \`npm start\` running?`);
    }
    console.log(`${result.status} ${result.body}`);
    if (result.status >= 300) process.exitCode = 1;
  });

program
  .command('validate')
  .description('check definition files; prints every problem as file:line:col: CODE message')
  .argument('[paths...]', 'files or folders (default: TENURE_DEFINITIONS)')
  .action((paths: string[]) => {
    const cfg = config();
    const { plans, problems } = loadDefinitions(paths.length ? paths : [cfg.definitionsDir]);
    for (const problem of problems) console.error(formatProblem(problem));
    if (problems.length > 0) {
      console.error(`${problems.length} problem(s)`);
      process.exitCode = 1;
    } else console.log(`${plans.length} definition(s) valid: ${plans.map((p) => `${p.name} v${p.version}`).join(', ')}`);
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (EXPECTED_ERRORS.some((type) => error instanceof type)) {
    console.error(`tenure: ${(error as Error).message}`);
  } else {
    console.error(error);
  }
  process.exitCode = 1;
}
