// `tenure dev` (what `npm start` runs) as a child process in a test: its own state folder,
// free ports, and an environment without the parent's settings that would change it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.ts';
import type { RunningCommand } from './process.ts';

export interface DevStackPorts {
  temporal: number;
  ui: number;
  emulator: number;
  trigger: number;
}

export interface DevStackSetup {
  /** TENURE_HOME: the stack's state folder. */
  home: string;
  ports: DevStackPorts;
  /** The environment to start `tenure dev` with (see `startTenure`). */
  env: NodeJS.ProcessEnv;
}

/**
 * A fresh state folder (named `<folderPrefix>…`), four free ports, and the environment for
 * `tenure dev`: the parent's without the variables whose names `omit` matches, plus `extra`.
 */
export async function devStackSetup(folderPrefix: string, omit: RegExp, extra: NodeJS.ProcessEnv = {}): Promise<DevStackSetup> {
  const home = mkdtempSync(join(tmpdir(), folderPrefix));
  const ports = { temporal: await freePort(), ui: await freePort(), emulator: await freePort(), trigger: await freePort() };
  const rest = Object.fromEntries(Object.entries(process.env).filter(([name]) => !omit.test(name)));
  const env = {
    ...rest,
    TENURE_HOME: home,
    TENURE_DEV_TEMPORAL_PORT: String(ports.temporal),
    TENURE_DEV_UI_PORT: String(ports.ui),
    TENURE_EMULATOR_PORT: String(ports.emulator),
    PORT: String(ports.trigger),
    TENURE_LOG_LEVEL: 'warn',
    ...extra,
  };
  return { home, ports, env };
}

/**
 * Stops a `tenure dev` still running after a test: SIGINT first, so it stops its embedded
 * Temporal server; SIGKILL if it has not exited 15 s later. `showOutput` prints what it wrote.
 */
export async function stopDevStack(running: RunningCommand | undefined, { showOutput }: { showOutput: boolean }): Promise<void> {
  if (!running || running.child.exitCode !== null) return;
  if (showOutput) console.log(`tenure dev output:\n${running.output()}`);
  running.child.kill('SIGINT');
  const killer = setTimeout(() => running.child.kill('SIGKILL'), 15_000);
  await running.exited;
  clearTimeout(killer);
}

/**
 * Writes a generic `employee.hired` event for `tenure send` into `home` as `<name>.json` and
 * returns its path: event id `evt_<name>`, email `<name>@example.com`.
 */
export function writeHire(home: string, name: string, employee: { id: string; startDate: string; department?: string }): string {
  const file = join(home, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      id: `evt_${name}`,
      type: 'employee.hired',
      occurredAt: '2026-11-20T10:00:00Z',
      source: 'generic',
      employee: { id: employee.id, email: `${name}@example.com`, ...(employee.department ? { department: employee.department } : {}), employmentType: 'full_time', startDate: employee.startDate, timezone: 'Europe/London' },
    }),
  );
  return file;
}
