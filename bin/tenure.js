#!/usr/bin/env node
// Tenure runs its TypeScript directly on Node's type stripping (Node 22.18+; the project
// ships Node 24 through the `node` package, which npm scripts and npx put first on PATH).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(
    `tenure: Node ${process.versions.node} is too old; Tenure needs Node 22.18 or newer (24 LTS recommended).\n` +
      '  Run it through npm, which uses the project\'s own Node 24: `npx tenure …` or `npm start`.',
  );
  process.exit(1);
}
// Commands that only read files skip loading Temporal, the store and the servers, so they answer fast.
const offline = ['validate', 'schema', 'plan'].includes(process.argv[2] ?? '');
await import(offline ? '../cli/offline.ts' : '../cli/main.ts');
