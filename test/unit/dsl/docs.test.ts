// docs/definitions.md cannot drift from the language: its reference section is generated
// from the schema, and every YAML example in it must validate.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { ACTION_NAMES, loadDefinitionText, PROBLEM_CODES, STEP_KINDS } from '../../../dsl/index.ts';
import { withReference } from '../../../dsl/reference.ts';

const doc = readFileSync('docs/definitions.md', 'utf8');

describe('docs/definitions.md', () => {
  it('holds the reference generated from the schema (regenerate: npm run docs:definitions)', () => {
    expect(doc).toBe(withReference(doc));
  });

  it('documents every step kind, action and problem code', () => {
    for (const kind of STEP_KINDS) expect(doc).toContain(`#### Step \`${kind}\``);
    for (const action of ACTION_NAMES) expect(doc).toContain(`#### Action \`${action}\``);
    for (const code of PROBLEM_CODES) expect(doc).toMatch(new RegExp(`\\| \`${code}\` \\| [^|\\s]`));
  });

  const examples = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] as string);

  it('has examples of every step kind and of the cookbook flows', () => {
    expect(examples.length).toBeGreaterThanOrEqual(8);
    const all = examples.join('\n');
    for (const key of ['wait:', 'if:', 'then:', 'else:', 'approval:', 'action:', 'vars:', 'schedule:']) expect(all).toContain(key);
  });

  it.each(examples.map((text) => [/^name: (.+)$/m.exec(text)?.[1] ?? '(unnamed)', text]))('example %s is a valid definition', (_, text) => {
    expect(loadDefinitionText(text as string, 'example.yaml').problems).toEqual([]);
  });
});
