/**
 * The language reference, generated from the zod schemas so it cannot drift: the tables
 * between the GENERATED markers of docs/definitions.md are this output (a test checks).
 * Regenerate with `npm run docs:definitions`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { z } from 'zod';
import { EVENT_TYPES } from '../events/index.ts';
import { ACTION_NAMES, ACTIONS } from '../activities/actions/index.ts';
import { PROBLEM_CODES } from './problems.ts';
import {
  actionOptions,
  approvalSchema,
  definitionSchema,
  eventTriggerSchema,
  ifStepShallowSchema,
  scheduleTriggerSchema,
  waitStepSchema,
  waitUntilSchema,
} from './schema.ts';

export const BEGIN_MARKER = '<!-- BEGIN GENERATED REFERENCE: npm run docs:definitions -->';
export const END_MARKER = '<!-- END GENERATED REFERENCE -->';

/** What every code means, for the reference. A test checks that every code has a line here. */
const PROBLEM_MEANINGS: Record<(typeof PROBLEM_CODES)[number], string> = {
  YAML_SYNTAX: 'the file is not valid YAML (or uses an unknown tag, or holds several documents)',
  DUPLICATE_KEY: 'a key appears twice in one mapping',
  FORBIDDEN_KEY: 'a `__proto__` key',
  ALIAS_LIMIT: 'too many aliases, aliases that expand to too many nodes (an alias bomb), or a cyclic alias',
  TOO_DEEP: 'nesting deeper than any real definition (checked before parsing)',
  FILE_TOO_LARGE: 'the file is larger than 64 KiB',
  FILE_UNREADABLE: 'the file or folder cannot be read',
  UNKNOWN_KEY: 'a key the language does not have at that place (with the closest valid one)',
  MISSING_KEY: 'a required key is missing',
  UNKNOWN_EVENT: '`on.event` is not one of the event types',
  UNKNOWN_ACTION: '`action` is not one of the actions',
  INVALID_VALUE: 'a value of the wrong type or shape (an enum, a pattern, a length)',
  BAD_EXPRESSION: 'a CEL expression that does not parse or type-check: unknown variable, field, step or var, a step that has not run yet, a wrong type',
  BAD_REGEX: 'a `matches` pattern RE2 cannot compile (look-arounds, back-references): RE2 syntax differs from JavaScript\'s',
  EXPRESSION_BUDGET: 'an expression that could cost more than its budget (nested `map`/`filter`/`exists` over large lists, long string building); at run time a step fails with the same code',
  BAD_DURATION: 'not a duration such as `90m`, `3d`, `2w` (or not positive where it must be)',
  BAD_TIMEZONE: 'not an IANA time zone',
  BAD_CRON: 'not a five-field cron or an @-macro',
  SECRET_VALUE: 'a value that looks like a credential (API key, token, webhook URL, password in a URL)',
  UNCHECKED_APPROVAL: 'an approval whose outcome no later expression reads, so a rejection would change nothing',
  DUPLICATE_STEP_ID: 'two steps share an id (branches included)',
  DUPLICATE_NAME: 'two definitions in one folder share a `name`',
};

interface Field {
  key: string;
  type: string;
  required: boolean;
  default?: unknown;
  description: string;
}

function def(schema: unknown): { type: string; [key: string]: unknown } {
  return (schema as { _zod: { def: { type: string } } })._zod.def;
}

/** A short, human name for a schema's type. */
function typeName(schema: z.ZodType): string {
  const d = def(schema);
  switch (d.type) {
    case 'optional':
    case 'default':
    case 'nullable':
      return typeName(d.innerType as z.ZodType);
    case 'string':
      return (d as { format?: string }).format === 'email' ? 'email' : 'string';
    case 'enum':
      return Object.values(d.entries as Record<string, string>)
        .map((v) => `\`${v}\``)
        .join(' \\| ');
    case 'literal':
      return (d.values as unknown[]).map((v) => `\`${String(v)}\``).join(' \\| ');
    case 'boolean':
      return 'boolean';
    case 'number':
      return 'integer';
    case 'array':
      return `list of ${typeName(d.element as z.ZodType)}`;
    case 'object':
      return 'mapping';
    case 'record':
      return 'mapping';
    case 'union': {
      const options = (d.options as z.ZodType[]).map(typeName);
      // `template | literal`: a templated string.
      if (options[0] === 'string' && options.length === 2) return `${options[1]} or \`\${{ … }}\``;
      return options.join(' or ');
    }
    case 'lazy':
      return 'any JSON value';
    default:
      return d.type;
  }
}

/** Types the schema cannot name by itself: durations and CEL are strings with a grammar of their own. */
const TYPE_NAMES: Record<string, string> = {
  on: '`{ event, if }` or `{ schedule }`',
  steps: 'list of steps',
  then: 'list of steps',
  else: 'list of steps',
  vars: 'mapping of names to any JSON values',
  timeout: 'duration',
  offset: 'duration',
  if: 'CEL',
  until: 'CEL',
  at: '`HH:MM`',
  retry: '`{ maxAttempts: 1-20 }`',
};

function fieldsOf(shape: Record<string, z.ZodType>): Field[] {
  return Object.entries(shape).map(([key, schema]) => {
    let current: z.ZodType = schema;
    let description = schema.description ?? '';
    let required = true;
    let fallback: unknown;
    for (;;) {
      const d = def(current);
      if (d.type === 'optional') required = false;
      else if (d.type === 'default') {
        required = false;
        fallback = typeof d.defaultValue === 'function' ? (d.defaultValue as () => unknown)() : d.defaultValue;
      } else break;
      current = d.innerType as z.ZodType;
      description ||= current.description ?? '';
    }
    return { key, type: TYPE_NAMES[key] ?? typeName(schema), required, ...(fallback !== undefined ? { default: fallback } : {}), description };
  });
}

function table(fields: Field[]): string {
  const rows = fields.map((f) => {
    const fallback = f.default === undefined ? '' : `\`${JSON.stringify(f.default)}\``;
    return `| \`${f.key}\` | ${f.type} | ${f.required ? 'yes' : 'no'} | ${fallback} | ${f.description.replace(/\|/g, '\\|')} |`;
  });
  return ['| key | type | required | default | meaning |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}

function shapeOf(schema: z.ZodType): Record<string, z.ZodType> {
  return (schema as z.ZodObject).shape as Record<string, z.ZodType>;
}

/** The generated part of docs/definitions.md (without the markers). */
export function languageReference(): string {
  const top = fieldsOf(shapeOf(definitionSchema));
  const common = fieldsOf({ id: shapeOf(waitStepSchema).id as z.ZodType, name: shapeOf(waitStepSchema).name as z.ZodType });
  const waitShape = fieldsOf(shapeOf(waitUntilSchema));
  const ifShape = fieldsOf(shapeOf(ifStepShallowSchema)).filter((f) => f.key === 'if' || f.key === 'then' || f.key === 'else');
  const sections = [
    '### Top level',
    '',
    table(top),
    '',
    '### `on`: what starts a run',
    '',
    `Either an HR event (\`${EVENT_TYPES.join('`, `')}\`), optionally filtered:`,
    '',
    table(fieldsOf(shapeOf(eventTriggerSchema))),
    '',
    'or a schedule:',
    '',
    table(fieldsOf(shapeOf(shapeOf(scheduleTriggerSchema).schedule as z.ZodType))),
    '',
    '### Steps',
    '',
    'Every step has an `id` and exactly one of `action`, `wait`, `if`, `approval`.',
    '',
    table(common),
    '',
    '#### Step `action`',
    '',
    table([
      { key: 'action', type: 'one of the actions below', required: true, description: 'What to do' },
      { key: 'with', type: 'mapping', required: false, description: "The action's inputs (below); strings may hold `${{ … }}` templates where marked" },
      ...fieldsOf(actionOptions as unknown as Record<string, z.ZodType>),
    ]),
    '',
    "Its output: `steps.<id>.output`, the action's answer (e.g. an invite's `.status`, `.inviteId`); for the `openai.*` and `openai.scim.*` actions also `.outcome`, what this step did: `created`, `updated`, `removed`, `noop`… (an invite for someone already invited or a member is `noop`, so `if: steps.invite.output.outcome == \"created\"` announces only an invite this run sent).",
    '',
    '#### Step `wait`',
    '',
    '`wait: <duration>` (e.g. `90m`, `3d`, `12w`), or `wait:` with:',
    '',
    table(waitShape),
    '',
    '#### Step `if`',
    '',
    table(ifShape),
    '',
    'Its output: `steps.<id>.output.branch` (`then` or `else`) and `.result` (true or false).',
    '',
    '#### Step `approval`',
    '',
    table(fieldsOf(shapeOf(approvalSchema))),
    '',
    'Its output: `steps.<id>.output.approved` (true or false), `.by` (who decided; null on timeout), `.reason`, `.timedOut`.',
    '',
    '### Actions',
    '',
    ...ACTION_NAMES.flatMap((action) => [`#### Action \`${action}\``, '', table(fieldsOf(shapeOf(ACTIONS[action].input)) as Field[]), '']),
    '### Problem codes',
    '',
    '| code | meaning |',
    '| --- | --- |',
    ...PROBLEM_CODES.map((code) => `| \`${code}\` | ${PROBLEM_MEANINGS[code]} |`),
  ];
  return sections.join('\n');
}

/** `doc` with its generated section replaced by the current reference. */
export function withReference(doc: string): string {
  const begin = doc.indexOf(BEGIN_MARKER);
  const end = doc.indexOf(END_MARKER);
  if (begin < 0 || end < begin) throw new Error(`the document has no ${BEGIN_MARKER} … ${END_MARKER} section`);
  return `${doc.slice(0, begin + BEGIN_MARKER.length)}\n\n${languageReference()}\n\n${doc.slice(end)}`;
}

if (import.meta.main) {
  const file = process.argv[2] ?? 'docs/definitions.md';
  writeFileSync(file, withReference(readFileSync(file, 'utf8')));
  console.log(`updated the reference in ${file}`);
}
