import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tenureDataConverter } from '../codec/index.ts';
import { hasHrConnector, requirePayloadKeys, Secret, type TenureConfig } from '../config/index.ts';
import { DefinitionRegistry, formatProblem } from '../dsl/index.ts';
import { HrDirectory, Organization, SANDBOX_PROJECTS, seedHrDirectory, startEmulator, type HrDirectoryState, type OrgState, type RunningEmulator } from '../emulator/index.ts';
import type { Logger } from '../logging/index.ts';
import { Store } from '../store/index.ts';
import { followSyncSchedule } from '../sync/index.ts';
import { buildSources, buildTriggerServer, codecEndpoint, followSchedules, operatorAuthenticator } from '../triggers/index.ts';
import { startWorker, type RunningWorker } from '../workers/index.ts';
import { devSecrets } from './dev-secrets.ts';
import { startDevServer, type DevServer } from './temporal-server.ts';
import { requireTool } from './tools.ts';

export interface DevStack {
  readonly triggerUrl: string;
  readonly temporalAddress: string;
  readonly temporalUiUrl: string | undefined;
  /** The operator console; undefined when no operator can sign in (live mode without TENURE_ADMIN_TOKEN nor TENURE_OPERATORS_FILE). */
  readonly consoleUrl: string | undefined;
  readonly emulatorUrl: string | undefined;
  /** Stops every part, in reverse order of starting. */
  stop(): Promise<void>;
  /** Rejects if a part dies on its own (the worker, the Temporal server). */
  readonly failed: Promise<never>;
}

/**
 * `tenure dev`: the whole product on one machine — an embedded Temporal dev server
 * (unless TEMPORAL_ADDRESS is set), the sandbox emulator (unless OPENAI_ADMIN_KEY is
 * set), the worker and the trigger server. Every bit of state lives under `config.home`.
 */
export async function startDevStack(config: TenureConfig, env: Readonly<Record<string, string | undefined>>, logger: Logger, print: (line: string) => void): Promise<DevStack> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (error) {
        logger.error({ err: error }, 'error while stopping');
      }
    }
    stops.length = 0;
  };
  let failWith: (error: Error) => void = () => {};
  const failed = new Promise<never>((_, reject) => (failWith = reject));
  failed.catch(() => {});

  try {
    const secrets = devSecrets(config.home);
    // TENURE_PAYLOAD_KEYS if set, else the dev key: every part reads and writes encrypted payloads.
    // Outside the sandbox the data is real: a configured key, or no start.
    const payloadKeys = config.payloadKeys ?? (config.openai.mode === 'sandbox' ? secrets.payloadKeys : requirePayloadKeys(config));
    const triggerUrl = `http://${config.server.host}:${config.server.port}`;
    // The UI calls the codec from the browser: a wildcard bind address is not one it can reach.
    const reachableHost = ['0.0.0.0', '::'].includes(config.server.host) ? '127.0.0.1' : config.server.host;
    const codecUrl = `http://${reachableHost}:${config.server.port}/codec`;
    const consoleUrl = `http://${reachableHost}:${config.server.port}/console`;
    // Watches the folder: edits apply to new events at once; a broken file keeps its last good version.
    // Schedules follow the definitions: a reload re-syncs them once the client exists.
    const registry = DefinitionRegistry.open({ dir: config.definitionsDir, logger }).watch();
    stops.push(async () => registry.close());
    const [plans, problems] = [registry.plans(), registry.problems()];
    for (const problem of problems) print(formatProblem(problem));
    if (problems.length > 0) print(`tenure: ${problems.length} problem(s) in ${config.definitionsDir}; those definitions are not in force`);

    let temporal: DevServer | undefined;
    let address = config.temporal.address;
    if (config.temporal.embedded) {
      const binary = requireTool('temporal', env);
      print(`tenure: starting the embedded Temporal dev server (state in ${join(config.home, 'temporal.db')})…`);
      temporal = await startDevServer({
        binary,
        port: Number(address.split(':').at(-1)),
        uiPort: config.temporal.uiPort,
        dbFile: join(config.home, 'temporal.db'),
        logFile: join(config.home, 'temporal.log'),
        uiCodecEndpoint: codecUrl,
      });
      address = temporal.address;
      const server = temporal;
      stops.push(() => server.stop());
      server.process.once('exit', (code, signal) => failWith(new Error(`the Temporal dev server exited (${signal ?? code}); see ${join(config.home, 'temporal.log')}`)));
    }

    let emulator: RunningEmulator | undefined;
    let openai = config.openai;
    if (config.openai.mode === 'sandbox') {
      const organization = new Organization();
      const stateFile = join(config.home, 'emulator-state.json');
      // The projects the shipped definitions name, kept through restores and resets.
      organization.seedProjects(SANDBOX_PROJECTS);
      if (existsSync(stateFile)) organization.restore(JSON.parse(readFileSync(stateFile, 'utf8')) as OrgState);
      // The HR emulators' directory: a small seeded one at first, then whatever tests and people made of it.
      const hris = new HrDirectory();
      const hrisFile = join(config.home, 'emulator-hris-state.json');
      if (existsSync(hrisFile)) hris.restore(JSON.parse(readFileSync(hrisFile, 'utf8')) as HrDirectoryState);
      else seedHrDirectory(hris);
      emulator = await startEmulator({ port: config.emulator.port, adminKey: secrets.emulatorKey.reveal(), organization, hris });
      const running = emulator;
      stops.push(async () => {
        writeFileSync(stateFile, JSON.stringify(running.organization.snapshot()));
        writeFileSync(hrisFile, JSON.stringify(running.hris.snapshot()));
        await running.close();
      });
      // The sandbox's SCIM service is the emulator's generic one, behind the same key.
      openai = { ...config.openai, adminKey: new Secret(emulator.adminKey), baseUrl: emulator.baseUrl, scim: { baseUrl: emulator.scimUrl, token: new Secret(emulator.scimToken) } };
    }
    const effective: TenureConfig = { ...config, openai, payloadKeys, webhookSecret: config.webhookSecret ?? secrets.webhookSecret };

    const workerConnection = await NativeConnection.connect({ ...config.temporal.connection(), address });
    stops.push(() => workerConnection.close());
    // One store for the worker and the admin endpoint; closed after both have stopped.
    const store = await Store.open(config.store);
    stops.push(() => store.close());
    print('tenure: bundling workflows and starting the worker…');
    const worker: RunningWorker = await startWorker(effective, { logger, connection: workerConnection, store });
    stops.push(() => worker.shutdown());
    worker.done.catch((error: Error) => failWith(new Error(`the worker stopped: ${error.message}`)));

    const connection = await Connection.connect({ ...config.temporal.connection(), address });
    stops.push(() => connection.close());
    const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter: tenureDataConverter(payloadKeys) });
    const sources = buildSources(config.sources, effective.webhookSecret, { replayWindowMs: config.replayWindowMs });
    // Operators: the configured ones; in the sandbox with none configured, the dev admin token (kept in dev-secrets.json), as `admin`.
    const devAdmin = !config.adminToken && config.operators.length === 0 && config.openai.mode === 'sandbox';
    const operators = devAdmin ? { operators: [], adminToken: secrets.adminToken } : config;
    const operatorsOn = devAdmin || config.adminToken !== undefined || config.operators.length > 0;
    const temporalUiUrl = temporal?.uiUrl ?? config.temporal.uiUrl;
    const app = buildTriggerServer({
      client,
      taskQueue: config.taskQueue,
      sources,
      plans: () => registry.plans(),
      logger,
      events: store,
      temporalUiUrl,
      // The embedded UI has no login, so it cannot send a token: its own origin may decode.
      codec: codecEndpoint(config, payloadKeys, { trustedOrigins: temporal?.uiUrl ? uiOrigins(temporal.uiUrl) : [] }),
      ...(operatorsOn ? { audit: { store, authenticate: operatorAuthenticator(operators) } } : {}),
      ...(operatorsOn
        ? {
            console: {
              store,
              authenticate: operatorAuthenticator(operators),
              definitions: () => ({ plans: registry.plans(), problems: registry.problems() }),
              namespace: config.temporal.namespace,
              temporalUiUrl,
              sessionKey: config.consoleSecret ?? secrets.consoleSecret,
            },
          }
        : {}),
    });
    await app.listen({ host: config.server.host, port: config.server.port });
    stops.push(() => app.close());
    const schedules = await followSchedules(client, registry, { taskQueue: config.taskQueue, maxUsers: config.scheduleMaxUsers }, logger);
    for (const failure of schedules.failed) print(`tenure: schedule ${failure.scheduleId} was not synced: ${failure.error}`);
    await followSyncSchedule(client, registry, { taskQueue: config.taskQueue, ...config.sync }, logger, hasHrConnector(config.hris)).catch((error: unknown) => print(`tenure: the sync schedule was not set up: ${(error as Error).message}`));

    const lines = [
      '',
      '  Tenure is running.',
      `    trigger server   ${triggerUrl}   (POST ${sources.map((s) => `/webhooks/${s.name}`).join(', ')}; GET /healthz, /readyz, /metrics)`,
      `    codec endpoint   ${codecUrl}   (payload key ${payloadKeys.current.id}${config.payloadKeys ? ', TENURE_PAYLOAD_KEYS' : `, dev key kept in ${join(config.home, 'dev-secrets.json')}`})`,
      `    Temporal         ${address}${temporal ? '   (embedded dev server)' : ''}`,
      ...(temporal?.uiUrl ? [`    Temporal UI      ${temporal.uiUrl}`] : []),
      // Where the token is, never the token: the terminal's scrollback is no place for it.
      operatorsOn
        ? `    console          ${consoleUrl}   (sign in with ${devAdmin ? `the adminToken in ${join(config.home, 'dev-secrets.json')}` : 'your operator token, or TENURE_ADMIN_TOKEN'})`
        : '    console          off: set TENURE_ADMIN_TOKEN or TENURE_OPERATORS_FILE to sign in at /console',
      `    definitions      ${plans.map((p) => `${p.name} v${p.version}`).join(', ') || 'none'}   (${config.definitionsDir})`,
      ...(schedules.created.length + schedules.updated.length + schedules.unchanged.length + schedules.deleted.length > 0
        ? [`    schedules        ${[...schedules.created, ...schedules.updated, ...schedules.unchanged].join(', ') || 'none'}${schedules.deleted.length ? `   (removed ${schedules.deleted.join(', ')})` : ''}`]
        : []),
      `    results store    ${store.location}   (npx tenure audit${operatorsOn ? '; GET /admin/audit with an operator token' : ''})`,
      // With a live OpenAI key, a terminal's scrollback is no place for a secret that starts runs at OpenAI.
      `    webhook secret   ${
        config.webhookSecret
          ? '(TENURE_WEBHOOK_SECRET)'
          : emulator
            ? `${secrets.webhookSecret.reveal()}   (dev secret, kept in ${join(config.home, 'dev-secrets.json')})`
            : `not printed with a live OpenAI key: it is in ${join(config.home, 'dev-secrets.json')}, or set TENURE_WEBHOOK_SECRET`
      }`,
      '',
      '  Send a first event:  npx tenure send examples/hire.json',
      '  Stop with Ctrl-C.',
      '',
    ];
    const hrEmulated = (['bamboohr', 'hibob', 'merge'] as const).filter((vendor) => config.hris[vendor]?.emulated);
    if (emulator) {
      const bar = '#'.repeat(78);
      lines.unshift(
        bar,
        '#  SANDBOX MODE: OPENAI_ADMIN_KEY is not set. Nothing reaches OpenAI.',
        `#  OpenAI calls go to the local emulator at ${emulator.url}`,
        `#  (state: ${emulator.url}/_emulator/state, requests: ${emulator.url}/_emulator/requests)`,
        `#  SCIM (generic 2.0) at ${emulator.scimUrl}; accept an invite: POST ${emulator.url}/_emulator/invites/<id>/accept`,
        ...(hrEmulated.length > 0
          ? [`#  HR APIs (${hrEmulated.join(', ')}) read the HR emulators: ${emulator.url}/_emulator/hris/<vendor>/employees`]
          : []),
        bar,
      );
    }
    for (const line of lines) print(line);

    return {
      triggerUrl,
      temporalAddress: address,
      temporalUiUrl,
      consoleUrl: operatorsOn ? consoleUrl : undefined,
      emulatorUrl: emulator?.url,
      stop: stopAll,
      failed,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** The embedded UI's origin, under both names a browser may use for the loopback address. */
function uiOrigins(uiUrl: string): string[] {
  const url = new URL(uiUrl);
  const origins = [url.origin];
  if (url.hostname === '127.0.0.1') origins.push(`${url.protocol}//localhost:${url.port}`);
  if (url.hostname === 'localhost') origins.push(`${url.protocol}//127.0.0.1:${url.port}`);
  return origins;
}
