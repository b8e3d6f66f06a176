// The fixture corpus: every file under test/fixtures/definitions/{invalid,hostile} names
// the problems it must produce in trailing `# expect: CODE line:col` comments; every file
// under valid/ must load without a problem.
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDefinitionFile, loadDefinitions, PROBLEM_CODES } from '../../../dsl/index.ts';

const ROOT = 'test/fixtures/definitions';

function expectations(file: string): string[] {
  return [...readFileSync(file, 'latin1').matchAll(/^# expect: ([A-Z_]+ \d+:\d+)$/gm)].map((m) => m[1] as string);
}

describe.each(['invalid', 'hostile'])('%s definitions', (folder) => {
  const files = readdirSync(join(ROOT, folder)).sort();

  it.each(files)('%s reports exactly its expected problems', (name) => {
    const file = join(ROOT, folder, name);
    const expected = expectations(file);
    expect(expected.length).toBeGreaterThan(0);
    const { plan, problems } = loadDefinitionFile(file, name);
    expect(plan).toBeUndefined();
    expect(problems.map((p) => `${p.code} ${p.line}:${p.col}`).sort()).toEqual([...expected].sort());
    for (const problem of problems) {
      expect(problem.file).toBe(name);
      expect(problem.message.length).toBeGreaterThan(10);
    }
  });
});

describe('the corpus as a whole', () => {
  it('covers every problem code that a single file can produce', () => {
    const seen = new Set<string>();
    for (const folder of ['invalid', 'hostile']) {
      for (const name of readdirSync(join(ROOT, folder))) for (const e of expectations(join(ROOT, folder, name))) seen.add(e.split(' ')[0] as string);
    }
    // DUPLICATE_NAME needs two files (below); FILE_UNREADABLE a missing one.
    expect(PROBLEM_CODES.filter((code) => !seen.has(code))).toEqual(['FILE_UNREADABLE', 'DUPLICATE_NAME']);
  });

  it('valid fixtures load without problems', () => {
    const { plans, problems } = loadDefinitions([join(ROOT, 'valid')]);
    expect(problems).toEqual([]);
    expect(plans.map((p) => p.name).sort()).toEqual(['anchors', 'every-step-kind', 'mover-changes', 'schedule']);
  });

  it('two definitions with one name: the second is reported at its name', () => {
    const { plans, problems } = loadDefinitions([join(ROOT, 'duplicate-name')]);
    expect(plans.map((p) => p.source)).toEqual([join(ROOT, 'duplicate-name', 'a.yaml')]);
    expect(problems).toMatchObject([{ code: 'DUPLICATE_NAME', file: join(ROOT, 'duplicate-name', 'b.yaml'), line: 3, col: 7 }]);
  });

  it('a path that does not exist is FILE_UNREADABLE, and the other paths still load', () => {
    const { plans, problems } = loadDefinitions([join(ROOT, 'nowhere'), join(ROOT, 'valid', 'schedule.yaml')]);
    expect(plans.map((p) => p.name)).toEqual(['schedule']);
    expect(problems).toMatchObject([{ code: 'FILE_UNREADABLE', line: 1, col: 1 }]);
  });
});
