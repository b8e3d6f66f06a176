import { Connection } from '@temporalio/client';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SEARCH_ATTRIBUTES } from '../workflows/shared.ts';

export interface DevServerOptions {
  /** The `temporal` CLI binary (see tools.ts). */
  binary: string;
  ip?: string;
  port: number;
  /** Web UI port; omit for a headless server. */
  uiPort?: number;
  /** SQLite file that keeps state across restarts; omit for in-memory. */
  dbFile?: string;
  /** Where the server's own output goes. */
  logFile: string;
  /** The Web UI's remote codec endpoint (`--ui-codec-endpoint`), so it shows payloads decoded. */
  uiCodecEndpoint?: string;
  /** How long to wait for the frontend to answer, ms. Default 60 s (a loaded 2-core machine is slow). */
  readyTimeoutMs?: number;
}

export interface DevServer {
  readonly address: string;
  readonly uiUrl: string | undefined;
  readonly process: ChildProcess;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

export class DevServerError extends Error {
  override readonly name = 'DevServerError';
}

/** `--search-attribute` flags for Tenure's custom attributes. */
export function searchAttributeFlags(): string[] {
  return Object.values(SEARCH_ATTRIBUTES).flatMap((key) => ['--search-attribute', `${key.name}=${searchAttributeTypeName(key.type)}`]);
}

function searchAttributeTypeName(type: string): string {
  const names: Record<string, string> = { KEYWORD: 'Keyword', TEXT: 'Text', INT: 'Int', DOUBLE: 'Double', BOOL: 'Bool', DATETIME: 'Datetime', KEYWORD_LIST: 'KeywordList' };
  return names[type] ?? type;
}

/**
 * Starts `temporal server start-dev` with Tenure's search attributes registered and
 * resolves once its frontend answers gRPC.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const ip = options.ip ?? '127.0.0.1';
  mkdirSync(dirname(options.logFile), { recursive: true });
  if (options.dbFile) mkdirSync(dirname(options.dbFile), { recursive: true });
  const args = [
    'server', 'start-dev',
    '--ip', ip,
    '--port', String(options.port),
    '--log-level', 'warn',
    '--log-format', 'json',
    ...(options.uiPort !== undefined ? ['--ui-port', String(options.uiPort), '--ui-disable-news-fetch'] : ['--headless']),
    ...(options.uiPort !== undefined && options.uiCodecEndpoint ? ['--ui-codec-endpoint', options.uiCodecEndpoint] : []),
    ...(options.dbFile ? ['--db-filename', options.dbFile] : []),
    ...searchAttributeFlags(),
  ];
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(options.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const address = `${ip}:${options.port}`;

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  let lastError: unknown;
  let ready = false;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      ready = true;
      break;
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  const stop = async (graceMs = 8_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
    log.end();
  };
  if (!ready) {
    await stop(1_000);
    throw new DevServerError(
      `the Temporal dev server did not become ready on ${address}` +
        (child.exitCode !== null ? ` (it exited with code ${child.exitCode}; is the port taken?)` : '') +
        `: ${(lastError as Error)?.message ?? 'timed out'}. Its output is in ${options.logFile}.`,
    );
  }
  return {
    address,
    uiUrl: options.uiPort !== undefined ? `http://${ip}:${options.uiPort}` : undefined,
    process: child,
    stop,
  };
}
