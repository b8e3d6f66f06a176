import { describe, expect, it } from '@jest/globals';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { definitionJsonSchema } from '../../../dsl/index.ts';

const committed = JSON.parse(readFileSync('tenure.schema.json', 'utf8')) as Record<string, unknown>;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats.default(ajv);
const validate = ajv.compile(committed);

describe('tenure.schema.json', () => {
  it('is what `tenure schema` prints (regenerate: node bin/tenure.js schema > tenure.schema.json)', () => {
    expect(committed).toEqual(definitionJsonSchema());
  });

  it('accepts every shipped and valid definition', () => {
    const files = [...readdirSync('definitions').map((f) => join('definitions', f)), ...readdirSync('test/fixtures/definitions/valid').map((f) => join('test/fixtures/definitions/valid', f))];
    for (const file of files) {
      const ok = validate(parse(readFileSync(file, 'utf8')));
      expect({ file, errors: ok ? null : validate.errors }).toEqual({ file, errors: null });
    }
  });

  it.each([
    ['an unknown action', { id: 'a', action: 'openai.invte', with: { email: 'a@example.com' } }],
    ['a role that does not exist', { id: 'a', action: 'openai.invite', with: { email: 'a@example.com', role: 'admin' } }],
    ['a key the action does not take', { id: 'a', action: 'notify', with: { channel: 'it', text: 'x', colour: 'red' } }],
    ['an email that is neither an email nor a template', { id: 'a', action: 'openai.remove', with: { email: 'nobody' } }],
    ['a step with no kind', { id: 'a' }],
    ['an approval without approvers', { id: 'a', approval: { timeout: '1d' } }],
  ])('rejects %s, as editors will underline it', (_, step) => {
    expect(validate({ name: 'x', on: { event: 'employee.hired' }, steps: [step] })).toBe(false);
  });

  it('rejects an unknown event and a misspelt top-level key', () => {
    expect(validate({ name: 'x', on: { event: 'employee.fired' }, steps: [{ id: 'a', action: 'record' }] })).toBe(false);
    expect(validate({ name: 'x', on: { event: 'employee.hired' }, stpes: [] })).toBe(false);
  });
});
