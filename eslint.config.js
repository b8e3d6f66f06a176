import js from '@eslint/js';
import { builtinModules } from 'node:module';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Workflow code must be deterministic: no Node built-ins, no I/O libraries, and only
// type imports of activities. Modules that workflows import (plan types, expression
// evaluation, time arithmetic, ids, search attributes) are held to the same rule.
const WORKFLOW_SAFE = ['workflows/**/*.ts', 'dsl/plan.ts', 'dsl/expressions.ts', 'dsl/time.ts', 'dsl/durations.ts'];
const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['node_modules/', '.tenure/', '.tools/', 'coverage/', 'tenure.schema.json'] },
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
    files: WORKFLOW_SAFE,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'workflow code must not use Node built-ins: it must be deterministic' })),
          patterns: [
            {
              group: ['**/activities', '**/activities/**'],
              allowTypeImports: true,
              message: 'workflows may import activity types only; call activities through proxyActivities',
            },
            {
              group: ['undici', 'pg', 'kysely', 'fastify', 'pino', 'prom-client', 'yaml', 'zod', '@temporalio/client', '@temporalio/worker', '@temporalio/activity', '**/store', '**/store/**', '**/config', '**/config/**', '**/triggers/**', '**/emulator/**', '**/devstack/**', '**/logging/**', '**/dsl/loader*', '**/dsl/compiler*', '**/dsl/schema*', '**/dsl/index*'],
              message: 'workflow code may import only pure modules (dsl/plan, dsl/expressions, dsl/time) and @temporalio/workflow',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'workflows never read the environment' },
        { name: 'setTimeout', message: 'use sleep() from @temporalio/workflow' },
        { name: 'setInterval', message: 'use sleep() from @temporalio/workflow' },
      ],
    },
  },
);
