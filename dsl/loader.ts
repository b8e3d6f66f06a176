/**
 * Loads definition files: guards against hostile YAML, parses keeping positions,
 * validates with the schema, type-checks expressions and durations, and reports every
 * problem at once with its `file:line:col`. Compiles what is valid into plans.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join, relative } from 'node:path';
import type { CronExpressionParser } from 'cron-parser';
import { createRequire } from 'node:module';
import { isMap, isScalar, LineCounter, Parser, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { EVENT_TYPES } from '../events/index.ts';
import { compile } from './compiler.ts';
import { parseDuration, positiveDuration } from './durations.ts';
import { templateParts } from './expressions.ts';
import { documentFindings, MAX_ALIASES, nestingOffset, secretFindings } from './guards.ts';
import { ACTION_NAMES, ACTIONS } from '../activities/actions/index.ts';
import { STEP_KINDS, type ActionName, type Plan, type StepKind } from './plan.ts';
import { didYouMean, type Problem, type ProblemCode } from './problems.ts';
import {
  actionStepSchema,
  approvalSchema,
  approvalStepSchema,
  definitionSchema,
  ifStepShallowSchema,
  parseValidDefinition,
  scheduleTriggerSchema,
  SCHEDULE_SELECTORS,
  varName,
  waitStepSchema,
  waitUntilSchema,
  type DefinitionDocument,
} from './schema.ts';
import { DefinitionTypeChecker, type ExpectedType, type ExpressionIssue, type StepInfo } from './typecheck.ts';
import { isTimeZone } from './time.ts';

/** Files larger than this are refused before parsing (real definitions are a few KB). */
export const MAX_DEFINITION_BYTES = 64 * 1024;

export interface LoadResult {
  plans: Plan[];
  problems: Problem[];
}

type Path = readonly (string | number)[];

function pathText(path: Path): string {
  return path.reduce<string>((text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${part}` : part), '') || 'the document';
}

class ProblemCollector {
  readonly problems: Problem[] = [];
  private readonly lines: string[];
  private readonly counter = new LineCounter();
  private readonly file: string;
  private readonly text: string;
  doc: Document | undefined;

  constructor(file: string, text: string) {
    this.file = file;
    this.text = text;
    this.lines = text.split(/\r?\n/);
    this.counter.addNewLine(0);
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.counter.addNewLine(i + 1);
  }

  /** The YAML node at `path`, or its nearest existing ancestor. */
  private nodeAt(path: Path): { range?: readonly number[] | null } | undefined {
    if (!this.doc) return undefined;
    for (let depth = path.length; depth >= 0; depth--) {
      const node = this.doc.getIn(path.slice(0, depth), true) as { range?: readonly number[] | null } | undefined;
      if (node?.range) return node;
    }
    return undefined;
  }

  /** Reports at the node at `path` (or its nearest existing parent); `key` points at the key instead of the value. */
  at(path: Path, code: ProblemCode, message: string, options: { hint?: string | undefined; key?: boolean } = {}): void {
    if (options.key && this.doc && path.length > 0) {
      const parent = this.doc.getIn(path.slice(0, -1), true);
      if (isMap(parent)) {
        const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === path.at(-1));
        const range = (pair?.key as { range?: readonly number[] } | undefined)?.range;
        if (range) return this.offset(range[0] as number, code, message, options.hint);
      }
    }
    this.offset((this.nodeAt(path)?.range?.[0] as number | undefined) ?? 0, code, message, options.hint);
  }

  /** Reports inside a string value: at `index` of the value, plus the issue's own offset in the expression. */
  atExpression(path: Path, expression: string, index: number, issue: ExpressionIssue): void {
    const node = this.doc?.getIn(path, true);
    let offset: number | undefined;
    if (isScalar(node) && node.range && typeof node.value === 'string') {
      const source = this.text.slice(node.range[0], node.range[1]);
      const value = node.value;
      if (source === value) offset = node.range[0] + index;
      else if (source.length === value.length + 2 && source.slice(1, -1) === value) offset = node.range[0] + 1 + index;
      else {
        // Escapes or folding moved things: find the expression's own text.
        const found = source.indexOf(expression);
        offset = found >= 0 ? node.range[0] + found : node.range[0];
      }
      offset += issue.offset;
    }
    const code = issue.code ?? 'BAD_EXPRESSION';
    if (offset === undefined) this.at(path, code, issue.message, { hint: issue.hint });
    else this.offset(offset, code, issue.message, issue.hint);
  }

  offset(offset: number, code: ProblemCode, message: string, hint?: string): void {
    const { line, col } = this.counter.linePos(Math.max(0, Math.min(offset, this.text.length)));
    this.problems.push({ code, message, file: this.file, line, col, ...(hint ? { hint } : {}), sourceLine: this.lines[line - 1] ?? '' });
  }
}

/** The object schema at `path` inside `schema`, if there is one (for "did you mean" on unknown keys). */
function shapeKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current: unknown = schema;
  const unwrap = () => {
    for (let i = 0; i < 10; i++) {
      const def = (current as { _zod?: { def?: { innerType?: unknown } } })._zod?.def;
      if (def?.innerType) current = def.innerType;
      else break;
    }
  };
  unwrap();
  for (const part of path) {
    if (current instanceof z.ZodObject) current = current.shape[part as string];
    else if (current instanceof z.ZodArray) current = current.element;
    else return [];
    unwrap();
  }
  return current instanceof z.ZodObject ? Object.keys(current.shape) : [];
}

/** Keys that belong one level down (e.g. `email` of an action written beside `action:` instead of inside `with:`). */
interface NestedKeys {
  keys: readonly string[];
  under: string;
}

function reportZodIssues(
  issues: readonly z.core.$ZodIssue[],
  base: Path,
  schema: z.ZodType,
  report: ProblemCollector,
  skipKeys: ReadonlySet<string> = new Set(),
  nested?: NestedKeys,
): void {
  for (const issue of issues) {
    const rel = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    const path = [...base, ...rel];
    if (issue.code === 'unrecognized_keys') {
      const allowed = shapeKeysAt(schema, rel);
      for (const key of issue.keys) {
        if (skipKeys.has(key) && rel.length === 0) continue;
        const guess = didYouMean(key, allowed);
        const inside = rel.length === 0 && nested?.keys.includes(key) ? `${key} belongs inside ${nested.under}:` : undefined;
        report.at([...path, key], 'UNKNOWN_KEY', `unknown key '${key}' in ${pathText(path)}${allowed.length ? `; valid keys are ${allowed.join(', ')}` : ''}`, {
          key: true,
          hint: inside ?? (guess ? `did you mean ${guess}?` : undefined),
        });
      }
    } else if (issue.code === 'invalid_type' && issue.input === undefined) {
      report.at(path, 'MISSING_KEY', `${pathText(path.slice(0, -1))} needs '${String(path.at(-1))}'`);
    } else if (issue.code === 'invalid_value') {
      const values = issue.values.map(String);
      const guess = typeof issue.input === 'string' ? didYouMean(issue.input, values) : undefined;
      report.at(path, 'INVALID_VALUE', `${pathText(path)} must be one of ${values.join(', ')}`, { hint: guess ? `did you mean ${guess}?` : undefined });
    } else if (issue.code === 'invalid_union') {
      // Templated strings are `template | literal`: the literal branch says what was wrong.
      const literal = issue.errors.at(-1)?.[0];
      const message = literal ? literal.message : issue.message;
      report.at(path, 'INVALID_VALUE', `${pathText(path)}: ${message}${literal?.code === 'invalid_format' ? ' (or a ${{ … }} template)' : ''}`);
    } else {
      report.at(path, 'INVALID_VALUE', `${pathText(path)}: ${issue.message}`);
    }
  }
}


const CRON_MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@hourly'];

// Loaded on the first scheduled definition: it brings a date library that nothing else needs.
let cronParser: typeof CronExpressionParser | undefined;
const cronExpressionParser = () => (cronParser ??= (createRequire(import.meta.url)('cron-parser') as { CronExpressionParser: typeof CronExpressionParser }).CronExpressionParser);

/** Why `cron` is not a cron Temporal Schedules accept, or undefined. */
function cronProblem(cron: string): string | undefined {
  const text = cron.trim();
  if (text.startsWith('@')) return CRON_MACROS.includes(text) ? undefined : `unknown cron macro '${text}'; use one of ${CRON_MACROS.join(', ')}`;
  const fields = text.split(/\s+/);
  if (fields.length !== 5) return `a cron has five fields (minute hour day-of-month month day-of-week); '${cron}' has ${fields.length}`;
  try {
    cronExpressionParser().parse(text);
    return undefined;
  } catch (error) {
    return `'${cron}' is not a valid cron: ${(error as Error).message}`;
  }
}

type Raw = Record<string, unknown>;

interface CollectedStep {
  path: Path;
  raw: Raw;
  kind: StepKind;
  id: string | undefined;
}

/** The keys that belong inside a step's `with:`, `wait:` or `approval:`, for "belongs inside" hints. */
function nestedKeys(kind: StepKind, raw: Raw): NestedKeys | undefined {
  if (kind === 'action') {
    const inputs = typeof raw.action === 'string' ? (ACTIONS[raw.action as ActionName]?.input as z.ZodObject | undefined) : undefined;
    return inputs ? { keys: Object.keys(inputs.shape), under: 'with' } : undefined;
  }
  if (kind === 'wait') return { keys: Object.keys(waitUntilSchema.shape), under: 'wait' };
  if (kind === 'approval') return { keys: Object.keys(approvalSchema.shape), under: 'approval' };
  return undefined;
}

const STEP_KEYS = ['id', 'name', 'action', 'with', 'timeout', 'retry', 'continueOnError', 'wait', 'if', 'then', 'else', 'approval'];
const TOP_KEYS = ['name', 'description', 'on', 'vars', 'steps'];

const topLevelSchema = definitionSchema.extend({ on: z.unknown(), vars: z.unknown().optional(), steps: z.unknown() });

/** The checks of one parsed definition. */
class DefinitionChecker {
  private readonly report: ProblemCollector;
  private readonly value: Raw;
  private readonly steps: CollectedStep[] = [];
  private readonly ids = new Map<string, Path>();
  private trigger: 'event' | 'schedule' = 'event';

  constructor(value: Raw, report: ProblemCollector) {
    this.value = value;
    this.report = report;
  }

  run(): void {
    const top = topLevelSchema.safeParse(this.value);
    if (!top.success) reportZodIssues(top.error.issues, [], topLevelSchema, this.report);
    this.checkOn();
    const varNames = this.checkVars();
    const steps = this.value.steps;
    if (steps !== undefined && !Array.isArray(steps)) this.report.at(['steps'], 'INVALID_VALUE', 'steps is a list of steps');
    else if (Array.isArray(steps)) {
      if (steps.length === 0) this.report.at(['steps'], 'INVALID_VALUE', 'steps needs at least one step');
      this.collectSteps(steps, ['steps']);
    }
    this.checkExpressions(varNames);
  }

  private checkOn(): void {
    const on = this.value.on;
    if (on === undefined) return; // reported as MISSING_KEY with the top level
    if (!on || typeof on !== 'object' || Array.isArray(on)) {
      this.report.at(['on'], 'INVALID_VALUE', 'on is a mapping: { event: employee.hired } or { schedule: { cron, timezone } }');
      return;
    }
    const o = on as Raw;
    for (const key of Object.keys(o)) {
      if (!['event', 'if', 'schedule', 'for'].includes(key)) {
        const guess = didYouMean(key, ['event', 'if', 'schedule', 'for']);
        this.report.at(['on', key], 'UNKNOWN_KEY', `unknown key '${key}' in on; valid keys are event, if, schedule, for`, { key: true, hint: guess ? `did you mean ${guess}?` : undefined });
      }
    }
    if ('event' in o && 'schedule' in o) {
      this.report.at(['on', 'schedule'], 'INVALID_VALUE', 'on has either event or schedule, not both', { key: true, hint: 'split it into two definitions' });
    } else if ('schedule' in o) {
      this.trigger = 'schedule';
      if ('if' in o) this.report.at(['on', 'if'], 'INVALID_VALUE', 'on.if applies to event triggers; a schedule has no event to test', { key: true });
      if (!('for' in o)) {
        this.report.at(['on'], 'MISSING_KEY', "a scheduled definition acts on people: say whom with for", { hint: 'add for: departed-with-access (people HR says have left who still hold access)' });
      }
      const parsed = scheduleTriggerSchema.safeParse({ schedule: o.schedule, for: 'for' in o ? o.for : SCHEDULE_SELECTORS[0] });
      if (!parsed.success) reportZodIssues(parsed.error.issues, ['on'], scheduleTriggerSchema, this.report);
      else {
        const problem = cronProblem(parsed.data.schedule.cron);
        if (problem) this.report.at(['on', 'schedule', 'cron'], 'BAD_CRON', problem, { hint: "e.g. '0 9 * * 1-5' is 09:00 on weekdays" });
        if (!isTimeZone(parsed.data.schedule.timezone)) {
          this.report.at(['on', 'schedule', 'timezone'], 'BAD_TIMEZONE', `'${parsed.data.schedule.timezone}' is not an IANA time zone`, { hint: 'e.g. Europe/London, America/New_York, UTC' });
        }
      }
    } else if ('event' in o) {
      if (typeof o.event !== 'string' || !(EVENT_TYPES as readonly string[]).includes(o.event)) {
        const guess = typeof o.event === 'string' ? didYouMean(o.event, EVENT_TYPES) : undefined;
        this.report.at(['on', 'event'], 'UNKNOWN_EVENT', `unknown event ${JSON.stringify(o.event)}; valid events are ${EVENT_TYPES.join(', ')}`, {
          hint: guess ? `did you mean ${guess}?` : 'or use on: { schedule: { cron, timezone } }',
        });
      }
      if ('if' in o && (typeof o.if !== 'string' || o.if.trim() === '')) this.report.at(['on', 'if'], 'INVALID_VALUE', 'on.if is a CEL condition (a non-empty string)');
      if ('for' in o) this.report.at(['on', 'for'], 'INVALID_VALUE', 'on.for applies to schedules; an event run is about the event\'s employee', { key: true });
    } else {
      this.report.at(['on'], 'MISSING_KEY', 'on needs event (an HR event type) or schedule', { hint: `e.g. on: { event: ${EVENT_TYPES[0]} }` });
    }
  }

  private checkVars(): string[] {
    const vars = this.value.vars;
    if (vars === undefined) return [];
    if (!vars || typeof vars !== 'object' || Array.isArray(vars)) {
      this.report.at(['vars'], 'INVALID_VALUE', 'vars is a mapping of names to constant values');
      return [];
    }
    const names: string[] = [];
    for (const [name, item] of Object.entries(vars as Raw)) {
      if (!varName.safeParse(name).success) this.report.at(['vars', name], 'INVALID_VALUE', `var name '${name}' must be letters, digits and _, not starting with a digit`, { key: true });
      else names.push(name);
      this.forbidTemplates(item, ['vars', name]);
    }
    return names;
  }

  private forbidTemplates(value: unknown, path: Path): void {
    if (typeof value === 'string' && value.includes('${{')) this.report.at(path, 'INVALID_VALUE', 'vars are constants; templates are not evaluated here');
    else if (Array.isArray(value)) value.forEach((item, i) => this.forbidTemplates(item, [...path, i]));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) this.forbidTemplates(v, [...path, k]);
  }

  /** Structure of every step, branches included; records ids and kinds in document order. */
  private collectSteps(steps: readonly unknown[], base: Path): void {
    steps.forEach((step, index) => {
      const path = [...base, index];
      if (!step || typeof step !== 'object' || Array.isArray(step)) {
        this.report.at(path, 'INVALID_VALUE', `a step is a mapping with an id and one of ${STEP_KINDS.join(', ')}`);
        return;
      }
      const raw = step as Raw;
      const kinds = STEP_KINDS.filter((kind) => kind in raw);
      const nested = kinds.length === 1 ? nestedKeys(kinds[0] as StepKind, raw) : undefined;
      const unknown = Object.keys(raw).filter((key) => !STEP_KEYS.includes(key));
      for (const key of unknown) {
        const guess = didYouMean(key, STEP_KEYS);
        const hint = nested?.keys.includes(key) ? `${key} belongs inside ${nested.under}:` : guess ? `did you mean ${guess}?` : `a step has ${STEP_KEYS.join(', ')}`;
        this.report.at([...path, key], 'UNKNOWN_KEY', `unknown key '${key}' in a step`, { key: true, hint });
      }
      const id = typeof raw.id === 'string' ? raw.id : undefined;
      if (id !== undefined) {
        const first = this.ids.get(id);
        if (first) this.report.at([...path, 'id'], 'DUPLICATE_STEP_ID', `step id '${id}' is already used at ${pathText(first)}`, { hint: 'step ids are unique in a definition, branches included' });
        else this.ids.set(id, path);
      }
      if (kinds.length === 0) {
        if (unknown.length === 0) this.report.at(path, 'MISSING_KEY', `step ${id ? `'${id}'` : index + 1} needs one of ${STEP_KINDS.join(', ')}`);
        return;
      }
      if (kinds.length > 1) {
        this.report.at([...path, kinds[1] as string], 'INVALID_VALUE', `a step is exactly one of ${STEP_KINDS.join(', ')}; this one has ${kinds.join(' and ')}`, { key: true });
        return;
      }
      const kind = kinds[0] as StepKind;
      this.steps.push({ path, raw, kind, id });
      const skip = new Set(unknown);
      if (kind === 'action') this.checkActionStep(raw, path, skip);
      else if (kind === 'wait') this.checkWaitStep(raw, path, skip);
      else if (kind === 'approval') this.checkApprovalStep(raw, path, skip);
      else {
        const parsed = ifStepShallowSchema.safeParse(raw);
        if (!parsed.success) reportZodIssues(parsed.error.issues, path, ifStepShallowSchema, this.report, skip);
        if (Array.isArray(raw.then)) this.collectSteps(raw.then, [...path, 'then']);
        if (Array.isArray(raw.else)) this.collectSteps(raw.else, [...path, 'else']);
      }
    });
  }

  private checkActionStep(raw: Raw, path: Path, skip: ReadonlySet<string>): void {
    if (typeof raw.action === 'string' && !(ACTION_NAMES as readonly string[]).includes(raw.action)) {
      const guess = didYouMean(raw.action, ACTION_NAMES);
      this.report.at([...path, 'action'], 'UNKNOWN_ACTION', `unknown action '${raw.action}'; valid actions are ${ACTION_NAMES.join(', ')}`, { hint: guess ? `did you mean ${guess}?` : undefined });
      return;
    }
    const parsed = actionStepSchema.safeParse(raw);
    if (!parsed.success) {
      const inputs = typeof raw.action === 'string' ? Object.keys((ACTIONS[raw.action as ActionName]?.input as z.ZodObject | undefined)?.shape ?? {}) : [];
      reportZodIssues(parsed.error.issues, path, actionStepSchema, this.report, skip, { keys: inputs, under: 'with' });
      return;
    }
    const action = ACTIONS[parsed.data.action as ActionName];
    const inputs = action.input.safeParse(parsed.data.with);
    if (!inputs.success) reportZodIssues(inputs.error.issues, [...path, 'with'], action.input, this.report);
    if (parsed.data.timeout !== undefined && !positiveDuration(parsed.data.timeout)) {
      this.report.at([...path, 'timeout'], 'BAD_DURATION', `'${parsed.data.timeout}' is not a positive duration`, { hint: 'write e.g. 30s, 5m, 1h' });
    }
    // How long a polling action polls must be a duration the activity can read.
    const pollsFor = 'pollsFor' in action ? action.pollsFor : undefined;
    const pollFor = pollsFor !== undefined ? (parsed.data.with as Raw)[pollsFor] : undefined;
    if (typeof pollFor === 'string' && !positiveDuration(pollFor)) {
      this.report.at([...path, 'with', pollsFor as string], 'BAD_DURATION', `'${pollFor}' is not a positive duration`, { hint: 'write e.g. 7d, 14d' });
    }
  }

  private checkWaitStep(raw: Raw, path: Path, skip: ReadonlySet<string>): void {
    const parsed = waitStepSchema.safeParse(raw);
    if (!parsed.success) {
      const wait = raw.wait;
      // A wait is a duration or a mapping: say which shape was wrong rather than both.
      if (wait && typeof wait === 'object' && !Array.isArray(wait)) {
        const inner = waitStepSchema.shape.wait.options[1].safeParse(wait);
        if (!inner.success) reportZodIssues(inner.error.issues, [...path, 'wait'], waitStepSchema.shape.wait.options[1], this.report);
        reportZodIssues(
          parsed.error.issues.filter((issue) => issue.path[0] !== 'wait'),
          path,
          waitStepSchema,
          this.report,
          skip,
          { keys: Object.keys(waitUntilSchema.shape), under: 'wait' },
        );
      } else if (typeof wait !== 'string') {
        this.report.at([...path, 'wait'], 'INVALID_VALUE', 'wait is a duration (e.g. 3d) or { until, offset, at, timezone }');
      } else reportZodIssues(parsed.error.issues, path, waitStepSchema, this.report, skip, { keys: Object.keys(waitUntilSchema.shape), under: 'wait' });
    }
    const wait = raw.wait;
    if (typeof wait === 'string') {
      if (!positiveDuration(wait)) this.report.at([...path, 'wait'], 'BAD_DURATION', `'${wait}' is not a positive duration`, { hint: 'write e.g. 90m, 3d, 12w (units s, m, h, d, w)' });
    } else if (wait && typeof wait === 'object') {
      const w = wait as Raw;
      if (typeof w.offset === 'string' && parseDuration(w.offset) === undefined) {
        this.report.at([...path, 'wait', 'offset'], 'BAD_DURATION', `'${w.offset}' is not a duration`, { hint: 'write e.g. -1d, 2h, -30m' });
      }
      if (typeof w.timezone === 'string' && !isTimeZone(w.timezone)) {
        this.report.at([...path, 'wait', 'timezone'], 'BAD_TIMEZONE', `'${w.timezone}' is not an IANA time zone`, { hint: 'e.g. Europe/London, America/New_York, UTC' });
      }
    }
  }

  private checkApprovalStep(raw: Raw, path: Path, skip: ReadonlySet<string>): void {
    const parsed = approvalStepSchema.safeParse(raw);
    if (!parsed.success) reportZodIssues(parsed.error.issues, path, approvalStepSchema, this.report, skip, { keys: Object.keys(approvalSchema.shape), under: 'approval' });
    const approval = raw.approval as Raw | undefined;
    if (approval && typeof approval.timeout === 'string' && !positiveDuration(approval.timeout)) {
      this.report.at([...path, 'approval', 'timeout'], 'BAD_DURATION', `'${approval.timeout}' is not a positive duration`, { hint: 'write e.g. 2d, 1w' });
    }
  }

  /** Type-checks every expression where it runs: only steps that ran before it are visible. */
  private checkExpressions(varNames: string[]): void {
    const infos: StepInfo[] = this.steps.filter((s) => s.id !== undefined).map((s) => ({ id: s.id as string, kind: s.kind }));
    const varValues = this.value.vars && typeof this.value.vars === 'object' ? (this.value.vars as Record<string, unknown>) : {};
    const checker = DefinitionTypeChecker.forDefinition({ trigger: this.trigger, steps: infos, vars: varNames, varValues });
    const referenced = new Set<string>();
    const check = (path: Path, expression: string, index: number, visible: ReadonlySet<string>, expected: ExpectedType) => {
      const issue = checker.check(expression, visible, expected);
      if (issue) this.report.atExpression(path, expression, index, issue);
      else for (const id of checker.stepReferences(expression)) referenced.add(id);
    };
    const checkTemplates = (value: unknown, path: Path, visible: ReadonlySet<string>) => {
      if (typeof value === 'string') {
        const parts = templateParts(value);
        if (value.split('${{').length - 1 > parts.length) {
          this.report.at(path, 'BAD_EXPRESSION', 'a ${{ template is not closed with }}');
        }
        for (const part of parts) check(path, part.expression, part.index, visible, part.whole ? 'string' : 'any');
      } else if (Array.isArray(value)) value.forEach((item, i) => checkTemplates(item, [...path, i], visible));
      else if (value && typeof value === 'object') for (const [key, item] of Object.entries(value)) checkTemplates(item, [...path, key], visible);
    };

    const on = this.value.on as Raw | undefined;
    if (on && typeof on === 'object' && typeof on.if === 'string' && on.if.trim() !== '' && this.trigger === 'event') check(['on', 'if'], on.if, 0, new Set(), 'bool');

    const byPath = new Map(this.steps.map((s) => [pathText(s.path), s]));
    const walk = (list: unknown, base: Path, before: ReadonlySet<string>): Set<string> => {
      const visible = new Set(before);
      if (!Array.isArray(list)) return visible;
      list.forEach((_, index) => {
        const path = [...base, index];
        const step = byPath.get(pathText(path));
        if (!step) return;
        const raw = step.raw;
        if (step.kind === 'action') checkTemplates(raw.with, [...path, 'with'], visible);
        else if (step.kind === 'wait') {
          const until = (raw.wait as Raw | undefined)?.until;
          if (typeof until === 'string' && until.trim() !== '') check([...path, 'wait', 'until'], until, 0, visible, 'string');
        } else if (step.kind === 'approval') {
          const approval = raw.approval as Raw | undefined;
          if (approval) {
            checkTemplates(approval.approvers, [...path, 'approval', 'approvers'], visible);
            checkTemplates(approval.message, [...path, 'approval', 'message'], visible);
          }
        } else {
          if (typeof raw.if === 'string' && raw.if.trim() !== '') check([...path, 'if'], raw.if, 0, visible, 'bool');
          const afterThen = walk(raw.then, [...path, 'then'], visible);
          const afterElse = walk(raw.else, [...path, 'else'], visible);
          for (const id of [...afterThen, ...afterElse]) visible.add(id);
        }
        if (step.id) visible.add(step.id);
      });
      return visible;
    };
    walk(this.value.steps, ['steps'], new Set());

    if (this.report.problems.length > 0) return;
    for (const step of this.steps) {
      if (step.kind === 'approval' && step.id && !referenced.has(step.id)) {
        const read = /^[a-z][a-z0-9_]*$/.test(step.id) ? `steps.${step.id}.output.approved` : `steps["${step.id}"].output.approved`;
        this.report.at([...step.path, 'approval'], 'UNCHECKED_APPROVAL', `approval '${step.id}' is never read, so a rejection would change nothing`, {
          key: true,
          hint: `guard the steps it approves with if: ${read}`,
        });
      }
    }
  }
}

/**
 * Where the first unclosed quote and the first unclosed flow collection (`[`/`{`) open.
 * The parser notices them only at the end of the file; people need the line they started on.
 */
function unclosedOpenings(text: string): { quote?: number; flow?: number } {
  const found: { quote?: number; flow?: number } = {};
  const stack: unknown[] = [...new Parser().parse(text)];
  while (stack.length > 0) {
    const token = stack.pop() as { type?: string; offset?: number; source?: string; end?: { source: string }[]; value?: unknown; items?: { key?: unknown; value?: unknown }[] } | undefined;
    if (!token || typeof token !== 'object') continue;
    if ((token.type === 'double-quoted-scalar' || token.type === 'single-quoted-scalar') && typeof token.offset === 'number') {
      const quote = token.type === 'double-quoted-scalar' ? '"' : "'";
      const source = (token.source ?? '').trimEnd();
      if (source.length < 2 || !source.endsWith(quote)) found.quote = Math.min(found.quote ?? Infinity, token.offset);
    }
    if (token.type === 'flow-collection' && typeof token.offset === 'number' && !(token.end ?? []).some((t) => t.source === ']' || t.source === '}')) {
      found.flow = Math.min(found.flow ?? Infinity, token.offset);
    }
    if (token.value) stack.push(token.value);
    for (const item of token.items ?? []) stack.push(item.key, item.value);
  }
  return found;
}

/** Clearer words for some of the YAML library's messages. */
const YAML_MESSAGES: Partial<Record<string, string>> = {
  DUPLICATE_KEY: 'this key appears twice in one mapping; each key appears once',
  MULTIPLE_DOCS: 'a definition file holds one YAML document; this one has another after ---',
  RESOURCE_EXHAUSTION: 'nested too deeply for a definition',
};

/** Validates one definition's text. `file` is how problems name it. Problems come in file order. */
export function loadDefinitionText(text: string, file: string): { plan?: Plan; problems: Problem[] } {
  const result = validateText(text, file);
  result.problems.sort((a, b) => a.line - b.line || a.col - b.col);
  return result;
}

function validateText(text: string, file: string): { plan?: Plan; problems: Problem[] } {
  const report = new ProblemCollector(file, text.length > MAX_DEFINITION_BYTES * 4 ? '' : text);
  if (Buffer.byteLength(text) > MAX_DEFINITION_BYTES) {
    report.offset(0, 'FILE_TOO_LARGE', `file is larger than ${MAX_DEFINITION_BYTES / 1024} KiB; a definition is a few KB`, 'split it, or check that this is the file you meant');
    return { problems: report.problems };
  }
  // eslint-disable-next-line no-control-regex -- YAML forbids these; finding them is the point
  const control = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]/.exec(text);
  if (control) {
    const code = (control[0].codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0');
    report.offset(control.index, 'YAML_SYNTAX', `control character U+${code} in the file; YAML allows printable text only`, 'is this a binary file, or text pasted with terminal escapes?');
    return { problems: report.problems };
  }
  const deep = nestingOffset(text);
  if (deep !== undefined) {
    report.offset(deep, 'TOO_DEEP', 'nested too deeply for a definition', 'definitions nest a few levels; this looks like a hostile or generated file');
    return { problems: report.problems };
  }
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, strict: true });
  report.doc = doc;
  let openings: ReturnType<typeof unclosedOpenings> | undefined;
  for (const error of [...doc.errors, ...doc.warnings]) {
    let offset = error.pos[0];
    if (/closing .*quote/.test(error.message)) offset = (openings ??= unclosedOpenings(text)).quote ?? offset;
    else if (/end with an? [\]}]/.test(error.message)) offset = (openings ??= unclosedOpenings(text)).flow ?? offset;
    const code: ProblemCode = error.code === 'DUPLICATE_KEY' ? 'DUPLICATE_KEY' : error.code === 'RESOURCE_EXHAUSTION' ? 'TOO_DEEP' : 'YAML_SYNTAX';
    const message = (error.message.split('\n')[0] ?? error.code).replace(/ at line \d+, column \d+:?$/, '');
    report.offset(offset, code, YAML_MESSAGES[error.code] ?? message, error.code === 'TAG_RESOLVE_FAILED' ? 'tags (!name) are not part of the language: remove it' : undefined);
  }
  if (report.problems.length > 0) return { problems: report.problems };
  for (const finding of documentFindings(doc)) report.offset(finding.offset, finding.code, finding.message, finding.hint);
  if (report.problems.length > 0) return { problems: report.problems };

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    report.offset(0, 'ALIAS_LIMIT', (error as Error).message);
    return { problems: report.problems };
  }
  for (const finding of secretFindings(doc)) report.offset(finding.offset, finding.code, finding.message, finding.hint);
  if (!value || typeof value !== 'object' || Array.isArray(value) || !isMap(doc.contents)) {
    report.offset(doc.contents?.range?.[0] ?? 0, 'INVALID_VALUE', 'a definition is a mapping with name, on and steps', `start from: name: my-flow / on: { event: ${EVENT_TYPES[0]} } / steps: […]`);
    return { problems: report.problems };
  }
  const unknownTop = Object.keys(value).filter((key) => !TOP_KEYS.includes(key));
  new DefinitionChecker(value as Raw, report).run();
  if (report.problems.length > 0) return { problems: report.problems };
  const valid = parseValidDefinition(value);
  if (valid) return { plan: compile(valid, file), problems: [] };
  const parsed = definitionSchema.safeParse(value);
  if (!parsed.success) {
    // The step-by-step checks above should have said why; this is the schema's own word.
    reportZodIssues(parsed.error.issues, [], definitionSchema, report, new Set(unknownTop));
    return { problems: report.problems };
  }
  return { plan: compile(parsed.data as DefinitionDocument, file), problems: [] };
}

/** Loads one file. */
export function loadDefinitionFile(path: string, displayName = path): { plan?: Plan; problems: Problem[] } {
  let text: string;
  try {
    if (statSync(path).size > MAX_DEFINITION_BYTES) {
      return {
        problems: [{ code: 'FILE_TOO_LARGE', message: `file is larger than ${MAX_DEFINITION_BYTES / 1024} KiB; a definition is a few KB`, file: displayName, line: 1, col: 1 }],
      };
    }
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return { problems: [{ code: 'FILE_UNREADABLE', message: (error as Error).message, file: displayName, line: 1, col: 1 }] };
  }
  return loadDefinitionText(text, displayName);
}

function isDefinitionFile(name: string): boolean {
  // Editors' temporary and backup files (.#x.yaml, x.yaml~, .x.yaml.swp) are not definitions.
  return ['.yaml', '.yml'].includes(extname(name)) && !basename(name).startsWith('.');
}

/** Every `*.yaml`/`*.yml` file under `paths` (files or folders). Throws for a path that does not exist. */
export function definitionFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path, { recursive: true, encoding: 'utf8' }).sort()) {
        if (isDefinitionFile(entry)) files.push(join(path, entry));
      }
    } else files.push(path);
  }
  return files;
}

/**
 * Loads every definition under `paths`. Two definitions with one name is a problem
 * (reported on the second). Problems name files relative to `cwd`.
 */
export function loadDefinitions(paths: readonly string[], cwd = process.cwd()): LoadResult {
  const plans: Plan[] = [];
  const problems: Problem[] = [];
  const files: string[] = [];
  for (const path of paths) {
    try {
      files.push(...definitionFiles([path]));
    } catch (error) {
      problems.push({ code: 'FILE_UNREADABLE', message: `cannot read ${path}: ${(error as Error).message}`, file: relative(cwd, path) || path, line: 1, col: 1 });
    }
  }
  const byName = new Map<string, string>();
  for (const file of files) {
    const shown = relative(cwd, file) || basename(file);
    const result = loadDefinitionFile(file, shown);
    problems.push(...result.problems);
    if (!result.plan) continue;
    const first = byName.get(result.plan.name);
    if (first) {
      problems.push(nameProblem(result.plan.name, first, shown, safeRead(file)));
      continue;
    }
    byName.set(result.plan.name, shown);
    plans.push(result.plan);
  }
  return { plans, problems };
}

/** The DUPLICATE_NAME problem for a second definition named `name`, reported at its `name:` value. */
export function nameProblem(name: string, first: string, shown: string, text: string | undefined): Problem {
  const lines = text?.split(/\r?\n/) ?? [];
  const index = lines.findIndex((l) => /^name\s*:/.test(l));
  const sourceLine = index >= 0 ? (lines[index] as string) : undefined;
  const col = sourceLine !== undefined ? (/^name\s*:\s*/.exec(sourceLine)?.[0].length ?? 0) + 1 : 1;
  return {
    code: 'DUPLICATE_NAME',
    message: `definition name '${name}' is already used by ${first}`,
    file: shown,
    line: index >= 0 ? index + 1 : 1,
    col,
    hint: 'names must be unique within a folder',
    ...(sourceLine !== undefined ? { sourceLine } : {}),
  };
}

function safeRead(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
