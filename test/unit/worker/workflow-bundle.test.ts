// The prebuilt workflow bundle is named by a hash of the workflow sources and what they
// import, so a changed source can never be served by an older bundle. Real files, real
// webpack (the SDK's bundler), in a temporary folder under the git-ignored .build/ (inside
// the project, so that webpack resolves the SDK's modules as it does for the real bundle).
import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLE_DIR, importSpecifiers, prebuiltWorkflowBundle, workflowSourceHash, WORKFLOWS_PATH } from '../../../workers/index.ts';

mkdirSync(BUNDLE_DIR, { recursive: true });
const dir = mkdtempSync(join(BUNDLE_DIR, 'test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('importSpecifiers', () => {
  it('finds value imports and re-exports, over several lines, and skips type-only ones', () => {
    const source = [
      "import type { A } from './a.ts';",
      "import { b, type C } from './b.ts';",
      "export * from './c.ts';",
      "export type { D } from './d.ts';",
      "import './e.ts';",
      'import {',
      '  x,',
      "} from '@temporalio/workflow';",
    ].join('\n');
    expect(importSpecifiers(source)).toEqual(['./b.ts', './c.ts', './e.ts', '@temporalio/workflow']);
  });
});

describe('workflowSourceHash', () => {
  const entry = write('entry.ts', "import { dep } from './dep.ts';\nimport type { T } from './types.ts';\nexport const w = dep;\n");
  write('dep.ts', "export { deep as dep } from './deep.ts';\n");
  write('deep.ts', 'export const deep = 1;\n');
  write('types.ts', 'export type T = number;\n');

  it('changes when a file imported two levels down changes, and only then', () => {
    const before = workflowSourceHash(entry, dir);
    expect(workflowSourceHash(entry, dir)).toBe(before);
    write('deep.ts', 'export const deep = 2;\n');
    expect(workflowSourceHash(entry, dir)).not.toBe(before);
  });

  it('ignores files imported only for their types (erased before bundling)', () => {
    const before = workflowSourceHash(entry, dir);
    write('types.ts', 'export type T = string;\n');
    expect(workflowSourceHash(entry, dir)).toBe(before);
  });

  it('covers the real workflow entry point', () => {
    expect(workflowSourceHash(WORKFLOWS_PATH)).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('prebuiltWorkflowBundle', () => {
  it('builds once, reuses the file while the sources are unchanged, and rebuilds (dropping the stale one) when they change', async () => {
    const out = join(dir, 'build');
    const entry = write('workflows.ts', "import { greeting } from './greeting.ts';\nexport async function hello(): Promise<string> { return greeting; }\n");
    write('greeting.ts', "export const greeting = 'hello';\n");

    const first = await prebuiltWorkflowBundle({ dir: out, entry });
    expect(first.built).toBe(true);
    expect(existsSync(first.codePath)).toBe(true);

    const again = await prebuiltWorkflowBundle({ dir: out, entry });
    expect(again).toEqual({ ...first, built: false });

    write('greeting.ts', "export const greeting = 'hi';\n");
    const rebuilt = await prebuiltWorkflowBundle({ dir: out, entry });
    expect(rebuilt.built).toBe(true);
    expect(rebuilt.codePath).not.toBe(first.codePath);
    expect(existsSync(first.codePath)).toBe(false);
  });
});
