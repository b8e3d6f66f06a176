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
// Node caches compiled code (and the TypeScript it stripped) between runs: a command starts
// in a fraction of the time. Each command then loads only what it uses (cli/commands/index.ts).
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
await import('../cli/main.ts');
