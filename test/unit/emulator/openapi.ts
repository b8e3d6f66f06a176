// OpenAI's own OpenAPI description of the Admin API endpoints Tenure uses (the subset of
// openai/openai-openapi's published spec kept in test/fixtures/openai/), compiled with Ajv's JSON Schema
// 2020-12 validator, which OpenAPI 3.1 schemas are — including the `anyOf: [T, {type: null}]`
// form of nullable fields. Vendor keywords (`x-…`) are allowed and ignored.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SPEC_PATH = fileURLToPath(new URL('../../fixtures/openai/admin-openapi.json', import.meta.url));

interface Operation {
  responses: Record<string, { content?: { 'application/json'?: { schema?: { $ref?: string } } } }>;
}
type Spec = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };

function loadSpec(): Spec {
  if (!existsSync(SPEC_PATH)) {
    throw new Error(`OpenAI's OpenAPI description is missing: expected at ${SPEC_PATH}`);
  }
  return JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as Spec;
}

export const spec = loadSpec();

const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addFormat('unixtime', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= 0 });
ajv.addSchema({ $id: 'openai-admin', components: spec.components });

/** Problems of `body` against a named schema in `components.schemas` (empty when it conforms). */
export function schemaProblems(name: string, body: unknown): string[] {
  const validate = ajv.getSchema(`openai-admin#/components/schemas/${name}`);
  if (!validate) throw new Error(`no schema ${name} in the OpenAPI description`);
  if (validate(body)) return [];
  return (validate.errors ?? []).map((e) => `${name}${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

/** The schema the description gives for `method path` answering `status` (e.g. 'get', '/organization/invites', 200). */
export function responseSchemaName(method: string, pathTemplate: string, status: number): string {
  const operation = spec.paths[pathTemplate]?.[method.toLowerCase()];
  if (!operation) throw new Error(`no operation ${method} ${pathTemplate} in the OpenAPI description`);
  const response = operation.responses[String(status)];
  const ref = response?.content?.['application/json']?.schema?.$ref;
  if (ref) return ref.split('/').at(-1) as string;
  if (status >= 400) return 'ErrorResponse';
  throw new Error(`the description gives no schema for ${method} ${pathTemplate} ${status}`);
}

/** Every operation in the description, as `METHOD /path/{param}`. */
export function describedOperations(): string[] {
  return Object.entries(spec.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
}
