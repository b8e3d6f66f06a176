// Workflow code must stay deterministic; the lint override on workflows/** is what
// enforces it. This checks the rule itself, so loosening it by accident fails a test.
import { describe, expect, it } from '@jest/globals';
import { ESLint } from 'eslint';

async function problems(code: string, filePath: string): Promise<string[]> {
  const eslint = new ESLint();
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message.split('.')[0]}`);
}

describe('the workflow lint guard', () => {
  it('refuses Node built-ins, I/O libraries, activity values and process in workflows/**', async () => {
    const found = await problems(
      [
        "import { readFileSync } from 'node:fs';",
        "import { request } from 'undici';",
        "import { createActivities } from '../activities/index.ts';",
        'export const x = [readFileSync, request, createActivities, process.env];',
        '',
      ].join('\n'),
      'workflows/probe.ts',
    );
    expect(found.filter((p) => p.startsWith('no-restricted-imports'))).toHaveLength(3);
    expect(found.some((p) => p.startsWith('no-restricted-globals'))).toBe(true);
  });

  it('allows activity types and pure modules in workflows/**, and anything elsewhere', async () => {
    const workflowCode = [
      "import type { Activities } from '../activities/index.ts';",
      "import { proxyActivities } from '@temporalio/workflow';",
      "import { waitTarget } from '../dsl/time.ts';",
      "import { ACTIONS } from '../activities/actions/index.ts';",
      'export const a = proxyActivities<Activities>({ startToCloseTimeout: 1000 });',
      'export const t = [waitTarget, ACTIONS];',
      '',
    ].join('\n');
    expect(await problems(workflowCode, 'workflows/probe.ts')).toEqual([]);
    expect(await problems("import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n", 'activities/probe.ts')).toEqual([]);
  });

  it('holds the action declarations to the same rule, zod allowed: workflows import them', async () => {
    const declaration = ["import { z } from 'zod';", "import { request } from 'undici';", "import { readFileSync } from 'node:fs';", 'export const x = [z, request, readFileSync];', ''].join('\n');
    expect((await problems(declaration, 'activities/actions/probe.ts')).filter((p) => p.startsWith('no-restricted-imports'))).toHaveLength(2);
    // Workflows reach the declarations through their entry point only.
    expect(await problems("import { openaiInvite } from '../activities/actions/openai-invite.ts';\nexport const x = openaiInvite;\n", 'workflows/probe.ts')).toHaveLength(1);
  });
});
