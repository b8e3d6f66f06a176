#!/usr/bin/env node
// Tenure runs its TypeScript directly on Node's type stripping (Node 22.18+; the project
// ships Node 24 through the `node` package, which npm scripts and npx put first on PATH).
// package.json's `engines` names what npm itself needs, so that npm running on an older
// Node prints no warning; the check for Tenure's own runtime is this one.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(
    `tenure: Node ${process.versions.node} is too old; Tenure needs Node 22.18 or newer (24 LTS recommended).\n` +
      '  Run it through npm, which uses the project\'s own Node 24: `npx tenure …` or `npm start`.',
  );
  process.exit(1);
}
// The long-running commands hold their memory for days, so they start with two settings
// that only count when a process starts (docs/performance.md, measured in `bench:engine`):
// - MALLOC_ARENA_MAX=2: glibc gives each thread that allocates (the workflow thread, the SDK
//   core's, gRPC's) a malloc arena of its own, and each keeps what was freed in it;
// - --max-semi-space-size=16 (MiB): on a machine with much memory V8 lets each isolate's young
//   generation grow to 128 MiB, which a worker fills once in a burst and keeps.
// Node replaces itself once (same pid, same stdio) with both set; an operator's own
// MALLOC_ARENA_MAX or semi-space flag is kept.
const LONG_RUNNING = new Set(['dev', 'serve', 'worker']);
if (process.platform === 'linux' && LONG_RUNNING.has(process.argv[2]) && typeof process.execve === 'function') {
  const semiSpaceSet = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((arg) => arg.includes('--max-semi-space-size'));
  if (process.env.MALLOC_ARENA_MAX === undefined || !semiSpaceSet) {
    const flags = semiSpaceSet ? process.execArgv : [...process.execArgv, '--max-semi-space-size=16'];
    process.execve(process.execPath, [process.execPath, ...flags, ...process.argv.slice(1)], { ...process.env, MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2' });
  }
}
// Node caches compiled code (and the TypeScript it stripped) between runs: a command starts
// in a fraction of the time. Each command then loads only what it uses (cli/commands/index.ts).
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
await import('../cli/main.ts');
