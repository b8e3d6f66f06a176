/**
 * `tenure.config.yaml`: the optional file that defines more webhook sources and maps
 * vendor fields into the HrEvent. It holds no secrets — only the names of the
 * environment variables that do (`secretEnv`); config/index.ts reads those.
 *
 *   sources:
 *     acme-eu:
 *       kind: bamboohr
 *       secretEnv: ACME_EU_BAMBOOHR_SECRET
 *       fields:
 *         department: Division
 *         timezone: { field: Location, values: { London: Europe/London } }
 *   hris:
 *     merge:                       # the Merge HR connector has no webhook source
 *       fields:
 *         department: groups.COST_CENTER
 */
import { isMap, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { didYouMean, positiveDuration, type Problem, type ProblemCode } from '../dsl/index.ts';
import { EMPLOYMENT_TYPES, EVENT_TYPES } from '../events/index.ts';
import { isTimeZone } from '../dsl/index.ts';

/** The adapters Tenure ships. */
export const SOURCE_KINDS = ['generic', 'bamboohr', 'hibob'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** Where each built-in source finds its secret when the file does not say. */
export const BUILTIN_SECRET_ENV: Record<SourceKind, string> = {
  generic: 'TENURE_WEBHOOK_SECRET',
  bamboohr: 'BAMBOOHR_WEBHOOK_SECRET',
  hibob: 'HIBOB_WEBHOOK_SECRET',
};

/** Employee fields a vendor field can be mapped into (plus `status`, which only decides departures). */
export const MAPPABLE_FIELDS = [
  'email',
  'firstName',
  'lastName',
  'department',
  'title',
  'employmentType',
  'startDate',
  'endDate',
  'contractEndDate',
  'timezone',
  'managerId',
  'managerEmail',
  'status',
] as const;
export type MappableField = (typeof MAPPABLE_FIELDS)[number];

/** Default replay window for vendors that sign a timestamp (BambooHR), milliseconds. */
export const DEFAULT_TIMESTAMP_TOLERANCE_MS = 5 * 60_000;

/** Files larger than this are refused before parsing, bytes. */
export const MAX_SOURCES_FILE_BYTES = 256 * 1024;

export interface FieldMapping {
  /** The vendor's field name (BambooHR: the alias shown in the webhook's field list). */
  field: string;
  /** Vendor value → Tenure value; unlisted values pass through (employmentType/timezone: dropped unless valid). */
  values?: Record<string, string>;
  /** Used when the vendor sends no value. */
  default?: string;
}

/** One source as the file describes it, secrets still named by variable. */
export interface SourceSpec {
  name: string;
  kind: SourceKind;
  /** Environment variables holding the secret; several during a rotation. */
  secretEnv: string[];
  /** BambooHR: how old or how far in the future a signed timestamp may be, milliseconds. */
  timestampToleranceMs: number;
  fields: Partial<Record<MappableField, FieldMapping>>;
  /** Vendor event type → HrEvent type, or `ignore` (answered 200, nothing started). */
  events: Record<string, (typeof EVENT_TYPES)[number] | 'ignore'>;
}

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
const SOURCE_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

const mappingSchema = z.union([
  z.string().min(1).max(200),
  z.strictObject({
    field: z.string().min(1).max(200),
    values: z.record(z.string().max(200), z.string().max(200)).optional(),
    default: z.string().max(200).optional(),
  }),
]);

const sourceSchema = z.strictObject({
  kind: z.enum(SOURCE_KINDS).optional(),
  secretEnv: z
    .union([z.string().regex(ENV_NAME, 'must be an environment variable name such as ACME_BAMBOOHR_SECRET'), z.array(z.string().regex(ENV_NAME, 'must be an environment variable name')).min(1).max(4)])
    .optional(),
  timestampTolerance: z.string().optional(),
  fields: z.record(z.string(), mappingSchema).optional(),
  events: z.record(z.string().max(200), z.string()).optional(),
});

const fileSchema = z.strictObject({
  sources: z.record(z.string(), sourceSchema).optional(),
  /** HR connectors without a webhook source of their own (Merge): their field mappings. */
  hris: z.strictObject({ merge: z.strictObject({ fields: z.record(z.string(), mappingSchema).optional() }).optional() }).optional(),
});

/** Field mappings of HR connectors that have no webhook source (`hris:` in the file). */
export interface HrisFieldsSpec {
  merge?: Partial<Record<MappableField, FieldMapping>>;
}

type At = (rest: Path, code: ProblemCode, message: string, options?: { hint?: string; key?: boolean }) => void;

/** Validates a `fields:` block, reporting through `at`; the mappings that are good. */
function readFields(entries: Record<string, z.infer<typeof mappingSchema>>, at: At): Partial<Record<MappableField, FieldMapping>> {
  const fields: Partial<Record<MappableField, FieldMapping>> = {};
  for (const [target, mapping] of Object.entries(entries)) {
    if (!(MAPPABLE_FIELDS as readonly string[]).includes(target)) {
      const guess = didYouMean(target, MAPPABLE_FIELDS);
      at(['fields', target], 'UNKNOWN_KEY', `cannot map into '${target}'; mappable fields are ${MAPPABLE_FIELDS.join(', ')}`, { key: true, ...(guess ? { hint: `did you mean ${guess}?` } : {}) });
      continue;
    }
    const normalized: FieldMapping = typeof mapping === 'string' ? { field: mapping } : mapping;
    const allowed = target === 'employmentType' ? EMPLOYMENT_TYPES : target === 'status' ? (['active', 'inactive'] as const) : undefined;
    const checkValue = (value: string, path: Path) => {
      if (allowed && !(allowed as readonly string[]).includes(value)) {
        at(path, 'INVALID_VALUE', `'${value}' is not a valid ${target}; valid values are ${allowed.join(', ')}`);
      } else if (target === 'timezone' && !isTimeZone(value)) {
        at(path, 'BAD_TIMEZONE', `'${value}' is not an IANA time zone`, { hint: 'write e.g. Europe/London' });
      }
    };
    for (const [from, to] of Object.entries(normalized.values ?? {})) checkValue(to, ['fields', target, 'values', from]);
    if (normalized.default !== undefined) checkValue(normalized.default, ['fields', target, 'default']);
    fields[target as MappableField] = normalized;
  }
  return fields;
}

type Path = (string | number)[];

class Problems {
  readonly list: Problem[] = [];
  private readonly lines: string[];
  private readonly file: string;
  private readonly doc: Document | undefined;
  private readonly counter: LineCounter;

  constructor(file: string, text: string, doc: Document | undefined, counter: LineCounter) {
    this.file = file;
    this.doc = doc;
    this.counter = counter;
    this.lines = text.split(/\r?\n/);
  }

  /** At the value found at `path` (or its nearest parent); `key` points at the key itself. */
  at(path: Path, code: ProblemCode, message: string, options: { hint?: string; key?: boolean } = {}): void {
    let offset = 0;
    for (let depth = path.length; depth >= 0 && this.doc; depth--) {
      if (options.key && depth === path.length && depth > 0) {
        const parent = this.doc.getIn(path.slice(0, -1), true);
        if (isMap(parent)) {
          const pair = parent.items.find((item) => (item.key as { value?: unknown } | null)?.value === path.at(-1));
          const range = (pair?.key as { range?: [number, number, number] } | undefined)?.range;
          if (range) {
            offset = range[0];
            break;
          }
        }
      }
      const node = this.doc.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) {
        offset = node.range[0];
        break;
      }
    }
    this.offset(offset, code, message, options.hint);
  }

  offset(offset: number, code: ProblemCode, message: string, hint?: string): void {
    const { line, col } = this.counter.linePos(offset);
    this.list.push({ code, message, file: this.file, line, col, ...(hint ? { hint } : {}), sourceLine: this.lines[line - 1] ?? '' });
  }
}


/**
 * Parses and validates the text of a `tenure.config.yaml`. Reports every problem at once,
 * each with `file:line:col` and a stable code; returns the specs only when there are none.
 */
export function parseSourcesFile(text: string, file: string): { specs: SourceSpec[]; problems: Problem[]; hris?: HrisFieldsSpec } {
  const counter = new LineCounter();
  if (Buffer.byteLength(text) > MAX_SOURCES_FILE_BYTES) {
    const problems = new Problems(file, '', undefined, counter);
    problems.offset(0, 'INVALID_VALUE', `file is larger than ${MAX_SOURCES_FILE_BYTES} bytes`);
    return { specs: [], problems: problems.list };
  }
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true, prettyErrors: false, strict: true });
  const problems = new Problems(file, text, doc, counter);
  for (const error of doc.errors) problems.offset(error.pos[0], error.code === 'DUPLICATE_KEY' ? 'INVALID_VALUE' : 'YAML_SYNTAX', error.message.split('\n')[0] ?? error.code);
  if (doc.errors.length > 0) return { specs: [], problems: problems.list };

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 50 }) ?? {};
  } catch (error) {
    problems.offset(0, 'YAML_SYNTAX', (error as Error).message);
    return { specs: [], problems: problems.list };
  }
  const parsed = fileSchema.safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
      if (issue.code === 'unrecognized_keys') {
        const valid =
          path.length === 0 ? ['sources', 'hris'] : path[0] === 'hris' ? (path.length === 1 ? ['merge'] : ['fields']) : ['kind', 'secretEnv', 'timestampTolerance', 'fields', 'events'];
        for (const key of issue.keys) {
          const guess = didYouMean(key, valid);
          problems.at([...path, key], 'UNKNOWN_KEY', `unknown key '${key}'; valid keys are ${valid.join(', ')}`, { key: true, ...(guess ? { hint: `did you mean ${guess}?` } : {}) });
        }
      } else if (issue.code === 'invalid_value' && path.at(-1) === 'kind') {
        problems.at(path, 'INVALID_VALUE', `unknown source kind; valid kinds are ${SOURCE_KINDS.join(', ')}`);
      } else {
        problems.at(path, 'INVALID_VALUE', `${path.join('.') || 'document'}: ${issue.message}`);
      }
    }
    return { specs: [], problems: problems.list };
  }

  const specs: SourceSpec[] = [];
  for (const [name, source] of Object.entries(parsed.data.sources ?? {})) {
    const at = (rest: Path, code: ProblemCode, message: string, options?: { hint?: string; key?: boolean }) => problems.at(['sources', name, ...rest], code, message, options);
    if (!SOURCE_NAME.test(name)) {
      at([], 'INVALID_VALUE', `source name '${name}' is not usable in a URL`, { key: true, hint: 'use lowercase letters, digits, - and _ (it becomes /webhooks/<name>)' });
      continue;
    }
    if (name === 'generic') {
      at([], 'INVALID_VALUE', "the built-in source 'generic' is configured by TENURE_WEBHOOK_SECRET, not by this file", { key: true, hint: 'give another Standard Webhooks sender its own name and kind: generic' });
      continue;
    }
    const kind = source.kind ?? ((SOURCE_KINDS as readonly string[]).includes(name) ? (name as SourceKind) : undefined);
    if (!kind) {
      at([], 'MISSING_KEY', `source '${name}' needs a kind (${SOURCE_KINDS.join(', ')})`, { key: true });
      continue;
    }
    const secretEnv = source.secretEnv === undefined ? (name === kind ? [BUILTIN_SECRET_ENV[kind]] : []) : [source.secretEnv].flat();
    if (secretEnv.length === 0) at([], 'MISSING_KEY', `source '${name}' needs secretEnv: the environment variable that holds its webhook secret`, { key: true });

    let timestampToleranceMs = DEFAULT_TIMESTAMP_TOLERANCE_MS;
    if (source.timestampTolerance !== undefined) {
      if (kind !== 'bamboohr') at(['timestampTolerance'], 'INVALID_VALUE', `timestampTolerance applies to bamboohr sources only (${kind === 'generic' ? 'Standard Webhooks fixes it at 5m' : 'HiBob signs no timestamp'})`, { key: true });
      const ms = positiveDuration(source.timestampTolerance);
      if (ms === undefined) at(['timestampTolerance'], 'BAD_DURATION', `'${source.timestampTolerance}' is not a positive duration`, { hint: 'write e.g. 5m, 2h' });
      else timestampToleranceMs = ms;
    }

    if (source.fields && kind === 'generic') at(['fields'], 'INVALID_VALUE', 'a generic source receives HrEvents as they are; fields applies to vendor sources', { key: true });
    const fields: SourceSpec['fields'] = readFields(source.fields ?? {}, at);

    const events: SourceSpec['events'] = {};
    if (source.events && kind === 'generic') at(['events'], 'INVALID_VALUE', 'a generic source receives HrEvent types as they are; events applies to vendor sources', { key: true });
    const targets = [...EVENT_TYPES, 'ignore'] as const;
    for (const [vendorType, target] of Object.entries(source.events ?? {})) {
      if (!(targets as readonly string[]).includes(target)) {
        const guess = didYouMean(target, targets);
        at(['events', vendorType], 'UNKNOWN_EVENT', `'${target}' is not an event type; valid values are ${targets.join(', ')}`, guess ? { hint: `did you mean ${guess}?` } : {});
        continue;
      }
      events[vendorType] = target as SourceSpec['events'][string];
    }
    specs.push({ name, kind, secretEnv, timestampToleranceMs, fields, events });
  }
  const merge = parsed.data.hris?.merge?.fields;
  const hris: HrisFieldsSpec | undefined = merge ? { merge: readFields(merge, (rest, code, message, options) => problems.at(['hris', 'merge', ...rest], code, message, options)) } : undefined;
  if (problems.list.length > 0) return { specs: [], problems: problems.list };
  return { specs, problems: [], ...(hris ? { hris } : {}) };
}
