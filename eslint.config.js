import js from '@eslint/js';
import { builtinModules } from 'node:module';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Workflow code must be deterministic: no Node built-ins, no I/O libraries, and only
// type imports of activities (the action declarations, activities/actions, are pure and
// may be imported). Modules that workflows import (plan types, expression evaluation,
// time arithmetic, ids, search attributes, action declarations) are held to the same rule;
// the declarations may use zod for their input schemas.
const WORKFLOW_SAFE = ['workflows/**/*.ts', 'dsl/plan.ts', 'dsl/expressions.ts', 'dsl/time.ts', 'dsl/durations.ts', 'activities/actions/**/*.ts'];
const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const IO_MODULES = ['undici', 'pg', 'kysely', 'fastify', 'pino', 'prom-client', 'yaml', '@temporalio/client', '@temporalio/worker', '@temporalio/activity', '**/store', '**/store/**', '**/config', '**/config/**', '**/triggers/**', '**/emulator/**', '**/devstack/**', '**/logging/**', '**/dsl/loader*', '**/dsl/compiler*', '**/dsl/schema*', '**/dsl/index*'];
const workflowImports = (allowZod, askPatches = false) => [
  'error',
  {
    paths: [
      ...nodeBuiltins.map((name) => ({ name, message: 'workflow code must not use Node built-ins: it must be deterministic' })),
      ...(askPatches
        ? []
        : [{ name: '@temporalio/workflow', importNames: ['patched', 'deprecatePatch'], message: 'ask for a change with isPatched() from workflows/patches.ts, which answers the same on replay wherever it is asked' }]),
    ],
    patterns: [
      {
        regex: '(^|/)activities(/(?!actions/index\\.ts$).*)?$',
        allowTypeImports: true,
        message: 'workflows may import activity types only (and the action declarations, activities/actions/index.ts); call activities through proxyActivities',
      },
      {
        group: allowZod ? IO_MODULES : [...IO_MODULES, 'zod'],
        message: 'workflow code may import only pure modules (dsl/plan, dsl/expressions, dsl/time, activities/actions) and @temporalio/workflow',
      },
    ],
  },
];

export default tseslint.config(
  { ignores: ['node_modules/', '.tenure/', '.tools/', '.build/', 'coverage/', 'tenure.schema.json'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // CommonJS modules the Temporal SDK loads with require() (the failure converter).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: WORKFLOW_SAFE,
    rules: {
      'no-restricted-imports': workflowImports(false),
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'workflows never read the environment' },
        { name: 'setTimeout', message: 'use sleep() from @temporalio/workflow' },
        { name: 'setInterval', message: 'use sleep() from @temporalio/workflow' },
      ],
    },
  },
  {
    files: ['activities/actions/**/*.ts'],
    rules: { 'no-restricted-imports': workflowImports(true) },
  },
  {
    files: ['workflows/patches.ts'],
    rules: { 'no-restricted-imports': workflowImports(false, true) },
  },
);
