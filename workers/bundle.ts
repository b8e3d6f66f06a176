/**
 * The prebuilt workflow bundle. Webpack-bundling the workflow code at every worker start
 * costs seconds of CPU and a few hundred MiB that the process keeps; instead the bundle is
 * built once (`npm install` runs `npm run build:workflows`) into `.build/`, named by a hash
 * of the workflow sources, every file they import and the versions of the packages they use.
 * A worker computes that hash at start (reading a few dozen small files) and loads the
 * matching file; when a source changed since, it builds and writes the new one first, so a
 * worker never runs a stale bundle.
 *
 *   const bundle = await prebuiltWorkflowBundle();      // { codePath: '.build/workflows-<hash>.js' }
 *   await Worker.create({ workflowBundle: bundle, … });
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAILURE_CONVERTER_PATH } from '../codec/index.ts';

/** The workflow entry point the worker bundles. */
export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Where prebuilt bundles live (git-ignored). */
export const BUNDLE_DIR = join(PROJECT_ROOT, '.build');

/** Raise when the bundler options below change, so older bundles stop matching. */
const BUNDLE_FORMAT = '1';

const silentLogger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** Import and re-export specifiers of a module's source, skipping type-only ones (erased before bundling). */
export function importSpecifiers(source: string): string[] {
  const found: string[] = [];
  const statement = /(?:^|[\n;])\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/g;
  for (const match of source.matchAll(statement)) {
    if (match[2] === undefined) found.push(match[3] as string);
  }
  for (const match of source.matchAll(/\b(?:import|require)\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(match[1] as string);
  return found;
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
}

function packageVersion(name: string, root: string): string {
  const manifest = join(root, 'node_modules', name, 'package.json');
  if (!existsSync(manifest)) return 'missing';
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version ?? 'unknown';
}

/**
 * A hash of everything the bundle is made of: the entry file, the modules bundled beside it
 * (the failure converter) and every project file they import (transitively, by content and
 * path), the version of each package they import, and the bundler's version. Any change to any of them gives another hash.
 */
export function workflowSourceHash(entry: string = WORKFLOWS_PATH, root: string = PROJECT_ROOT, modules: readonly string[] = [FAILURE_CONVERTER_PATH]): string {
  const hash = createHash('sha256').update(`format ${BUNDLE_FORMAT}\n@temporalio/worker ${packageVersion('@temporalio/worker', root)}\n`);
  const files = new Set<string>();
  const packages = new Set<string>(['@temporalio/workflow']);
  const pending = [resolve(entry), ...modules.map((m) => resolve(m))];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (files.has(file)) continue;
    files.add(file);
    // A specifier the regex found in a comment or string may name no file: it counts as absent.
    if (!existsSync(file)) continue;
    for (const specifier of importSpecifiers(readFileSync(file, 'utf8'))) {
      if (specifier.startsWith('.')) pending.push(resolve(dirname(file), specifier));
      else if (!specifier.startsWith('node:')) packages.add(packageName(specifier));
    }
  }
  for (const file of [...files].sort()) {
    hash.update(`file ${relative(root, file)}\n`).update(existsSync(file) ? readFileSync(file) : 'absent').update('\n');
  }
  for (const name of [...packages].sort()) hash.update(`package ${name} ${packageVersion(name, root)}\n`);
  return hash.digest('hex').slice(0, 16);
}

/** Bundles the workflow code (with Tenure's failure converter) in memory, as the SDK would at every worker start. */
export async function bundleWorkflowsNow(entry: string = WORKFLOWS_PATH): Promise<{ code: string }> {
  // Loaded here, not at the top: checking that the bundle is current needs no bundler.
  const { bundleWorkflowCode } = await import('@temporalio/worker');
  // The failure converter puts failure messages into (encrypted) payloads; it runs inside the sandbox too.
  return bundleWorkflowCode({ workflowsPath: entry, failureConverterPath: FAILURE_CONVERTER_PATH, logger: silentLogger as never });
}

export interface PrebuiltBundle {
  readonly codePath: string;
  readonly hash: string;
  /** True when this call built it (no bundle matched the sources). */
  readonly built: boolean;
}

/**
 * The bundle for the current workflow sources, from `dir`; builds and writes it first when
 * none matches (and removes the bundles of older sources). Concurrent callers each write
 * to a file of their own and rename it into place, so a reader never sees half a bundle.
 */
export async function prebuiltWorkflowBundle(options: { dir?: string; entry?: string } = {}): Promise<PrebuiltBundle> {
  const dir = options.dir ?? BUNDLE_DIR;
  const entry = options.entry ?? WORKFLOWS_PATH;
  const hash = workflowSourceHash(entry);
  const codePath = join(dir, `workflows-${hash}.js`);
  if (existsSync(codePath)) return { codePath, hash, built: false };
  const { code } = await bundleWorkflowsNow(entry);
  await mkdir(dir, { recursive: true });
  const partial = `${codePath}.${process.pid}.${Date.now()}.partial`;
  await writeFile(partial, code);
  await rename(partial, codePath);
  for (const name of await readdir(dir)) {
    if (name.startsWith('workflows-') && name.endsWith('.js') && name !== `workflows-${hash}.js`) await rm(join(dir, name), { force: true });
  }
  return { codePath, hash, built: true };
}
