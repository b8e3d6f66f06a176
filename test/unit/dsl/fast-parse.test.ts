// The loader parses a valid definition step by step (each step by the schema branch its kind
// selects) instead of through the whole union; it must give exactly what the schema gives.
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { definitionSchema, parseValidDefinition } from '../../../dsl/schema.ts';

const files = [
  ...readdirSync('definitions').map((f) => join('definitions', f)),
  ...readdirSync('test/fixtures/definitions/valid').map((f) => join('test/fixtures/definitions/valid', f)),
];

describe('parseValidDefinition', () => {
  it.each(files)('gives what definitionSchema.parse gives for %s', (file) => {
    const value = parse(readFileSync(file, 'utf8')) as unknown;
    const fast = parseValidDefinition(value);
    expect(fast).toBeDefined();
    expect(JSON.stringify(fast)).toBe(JSON.stringify(definitionSchema.parse(value)));
  });

  it.each([
    ['a step with two kinds', { name: 'x', on: { event: 'employee.hired' }, steps: [{ id: 'a', wait: '1d', action: 'record' }] }],
    ['an unknown action', { name: 'x', on: { event: 'employee.hired' }, steps: [{ id: 'a', action: 'openai.nope' }] }],
    ['a bad step inside an if', { name: 'x', on: { event: 'employee.hired' }, steps: [{ id: 'a', if: 'true', then: [{ id: 'b', action: 'openai.nope' }] }] }],
    ['no steps', { name: 'x', on: { event: 'employee.hired' }, steps: [] }],
    ['an unknown top-level key', { name: 'x', on: { event: 'employee.hired' }, steps: [{ id: 'a', action: 'record' }], extra: 1 }],
  ])('gives nothing for %s, which the schema refuses too', (_, value) => {
    expect(parseValidDefinition(value)).toBeUndefined();
    expect(definitionSchema.safeParse(value).success).toBe(false);
  });
});
