import { z } from 'zod';
import { definitionSchema } from './schema.ts';

/**
 * The language as JSON Schema (draft-07, which editors' YAML language servers read best),
 * generated from the zod schemas: `tenure schema` prints it and `tenure.schema.json` is
 * this, committed, for definitions' `# yaml-language-server: $schema=` comment. It
 * describes the input a person writes (defaults are optional there).
 */
export function definitionJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(definitionSchema, { target: 'draft-7', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    title: 'Tenure definition',
    description: 'A Tenure workflow definition: what happens to OpenAI access when an HR event arrives. See docs/definitions.md.',
    ...rest,
  };
}
