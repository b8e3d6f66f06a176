/**
 * Loads definition files: parses YAML keeping positions, validates with the schema,
 * checks expressions and durations, and reports every problem at once with its
 * `file:line:col`. Compiles what is valid into plans.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join, relative } from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { EVENT_TYPES } from '../events/index.ts';
import { compile } from './compiler.ts';
import { parseDuration, positiveDuration } from './durations.ts';
import { checkExpression, templateExpressions } from './expressions.ts';
import { ACTION_NAMES, type ActionName, type Plan } from './plan.ts';
import { didYouMean, type Problem, type ProblemCode } from './problems.ts';
import { ACTION_INPUTS, actionStepSchema, definitionSchema, waitStepSchema, type DefinitionDocument } from './schema.ts';

/** Files larger than this are refused before parsing. */
export const MAX_DEFINITION_BYTES = 256 * 1024;

export interface LoadResult {
  plans: Plan[];
  problems: Problem[];
}

type Path = readonly (string | number)[];

class ProblemCollector {
  readonly problems: Problem[] = [];
  private readonly lines: string[];
  private readonly file: string;
  private readonly text: string;
  private readonly doc: Document | undefined;
  private readonly counter: LineCounter;

  constructor(file: string, text: string, doc: Document | undefined, counter: LineCounter) {
    this.file = file;
    this.text = text;
    this.doc = doc;
    this.counter = counter;
    this.lines = text.split(/\r?\n/);
  }

  /** Reports at the node found at `path` (or its nearest existing parent); `key` points at the key instead of the value. */
  at(path: Path, code: ProblemCode, message: string, options: { hint?: string; key?: boolean } = {}): void {
    let offset = 0;
    if (this.doc) {
      for (let depth = path.length; depth >= 0; depth--) {
        const parentPath = path.slice(0, depth);
        const node = this.doc.getIn(parentPath, true) as { range?: [number, number, number] } | undefined;
        if (options.key && depth === path.length && depth > 0) {
          const parent = this.doc.getIn(path.slice(0, -1), true);
          if (isMap(parent)) {
            const pair = parent.items.find((item) => (item.key as { value?: unknown })?.value === path.at(-1));
            const keyNode = pair?.key as { range?: [number, number, number] } | undefined;
            if (keyNode?.range) {
              offset = keyNode.range[0];
              break;
            }
          }
        }
        if (node?.range) {
          offset = node.range[0];
          break;
        }
      }
    }
    this.offset(offset, code, message, options.hint);
  }

  offset(offset: number, code: ProblemCode, message: string, hint?: string): void {
    const { line, col } = this.counter.linePos(Math.min(offset, this.text.length));
    this.problems.push({
      code,
      message,
      file: this.file,
      line,
      col,
      ...(hint ? { hint } : {}),
      sourceLine: this.lines[line - 1] ?? '',
    });
  }
}

function reportZodIssues(issues: readonly z.core.$ZodIssue[], base: Path, report: ProblemCollector): void {
  for (const issue of issues) {
    const path = [...base, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) report.at([...path, key], 'UNKNOWN_KEY', `unknown key '${key}'`, { key: true });
    } else if (issue.code === 'invalid_value' && path.at(-1) === 'event' && path.length === 2) {
      report.at(path, 'UNKNOWN_EVENT', `unknown event; valid events are ${EVENT_TYPES.join(', ')}`, {
        hint: `did you mean ${didYouMean(String(issue.input), EVENT_TYPES) ?? EVENT_TYPES[0]}?`,
      });
    } else if (issue.code === 'invalid_type' && issue.input === undefined) {
      report.at(path, 'MISSING_KEY', `'${String(path.at(-1))}' is required`);
    } else {
      report.at(path, 'INVALID_VALUE', `${path.join('.') || 'document'}: ${issue.message}`);
    }
  }
}

function checkSteps(doc: Record<string, unknown>, report: ProblemCollector): void {
  const steps = doc.steps;
  if (!Array.isArray(steps)) return;
  const seen = new Map<string, number>();
  steps.forEach((step: unknown, index) => {
    const path = ['steps', index];
    if (!step || typeof step !== 'object' || Array.isArray(step)) {
      report.at(path, 'INVALID_VALUE', 'a step is a mapping with an id and either action or wait');
      return;
    }
    const s = step as Record<string, unknown>;
    if (typeof s.id === 'string') {
      if (seen.has(s.id)) report.at([...path, 'id'], 'DUPLICATE_STEP_ID', `step id '${s.id}' is already used by step ${(seen.get(s.id) as number) + 1}`);
      else seen.set(s.id, index);
    }
    if ('action' in s) {
      if (typeof s.action === 'string' && !(ACTION_NAMES as readonly string[]).includes(s.action)) {
        const guess = didYouMean(s.action, ACTION_NAMES);
        report.at([...path, 'action'], 'UNKNOWN_ACTION', `unknown action '${s.action}'; valid actions are ${ACTION_NAMES.join(', ')}`, guess ? { hint: `did you mean ${guess}?` } : {});
        return;
      }
      const parsed = actionStepSchema.safeParse(s);
      if (!parsed.success) reportZodIssues(parsed.error.issues, path, report);
      else {
        const inputs = ACTION_INPUTS[parsed.data.action as ActionName].safeParse(parsed.data.with);
        if (!inputs.success) reportZodIssues(inputs.error.issues, [...path, 'with'], report);
        checkTemplates(parsed.data.with, [...path, 'with'], report);
        if (parsed.data.timeout !== undefined && !positiveDuration(parsed.data.timeout)) {
          report.at([...path, 'timeout'], 'BAD_DURATION', `'${parsed.data.timeout}' is not a positive duration`, { hint: 'write e.g. 30s, 5m, 1h' });
        }
      }
    } else if ('wait' in s) {
      const parsed = waitStepSchema.safeParse(s);
      if (!parsed.success) {
        reportZodIssues(parsed.error.issues, path, report);
        return;
      }
      const wait = parsed.data.wait;
      if (typeof wait === 'string') {
        if (!positiveDuration(wait)) report.at([...path, 'wait'], 'BAD_DURATION', `'${wait}' is not a positive duration`, { hint: 'write e.g. 90m, 3d, 2w' });
      } else {
        const problem = checkExpression(wait.until);
        if (problem) report.at([...path, 'wait', 'until'], 'BAD_EXPRESSION', problem);
        if (wait.offset !== undefined && parseDuration(wait.offset) === undefined) {
          report.at([...path, 'wait', 'offset'], 'BAD_DURATION', `'${wait.offset}' is not a duration`, { hint: 'write e.g. -1d, 8h' });
        }
        if (wait.timezone !== undefined && !isTimeZone(wait.timezone)) {
          report.at([...path, 'wait', 'timezone'], 'BAD_TIMEZONE', `'${wait.timezone}' is not an IANA time zone`, { hint: 'write e.g. Europe/London' });
        }
      }
    } else {
      report.at(path, 'MISSING_KEY', `step ${typeof s.id === 'string' ? `'${s.id}'` : index + 1} needs either 'action' or 'wait'`);
    }
  });
}

function checkTemplates(value: unknown, path: Path, report: ProblemCollector): void {
  if (typeof value === 'string') {
    for (const expression of templateExpressions(value)) {
      const problem = checkExpression(expression);
      if (problem) report.at(path, 'BAD_EXPRESSION', problem);
    }
  } else if (Array.isArray(value)) value.forEach((item, i) => checkTemplates(item, [...path, i], report));
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) checkTemplates(item, [...path, key], report);
  }
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Validates one definition's text. `file` is how problems name it. */
export function loadDefinitionText(text: string, file: string): { plan?: Plan; problems: Problem[] } {
  const counter = new LineCounter();
  if (Buffer.byteLength(text) > MAX_DEFINITION_BYTES) {
    const report = new ProblemCollector(file, '', undefined, counter);
    report.offset(0, 'INVALID_VALUE', `file is larger than ${MAX_DEFINITION_BYTES} bytes`);
    return { problems: report.problems };
  }
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true, prettyErrors: false, strict: true });
  const report = new ProblemCollector(file, text, doc, counter);
  for (const error of doc.errors) {
    const code: ProblemCode = error.code === 'DUPLICATE_KEY' ? 'INVALID_VALUE' : 'YAML_SYNTAX';
    report.offset(error.pos[0], code, error.message.split('\n')[0] ?? error.code);
  }
  if (doc.errors.length > 0) return { problems: report.problems };

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    report.offset(0, 'YAML_SYNTAX', (error as Error).message);
    return { problems: report.problems };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value) || !isMap(doc.contents)) {
    report.offset(0, 'INVALID_VALUE', 'a definition is a mapping with name, on and steps');
    return { problems: report.problems };
  }
  const parsed = definitionSchema.safeParse(value);
  if (!parsed.success) {
    // Steps are checked one by one below, with more precise messages than a union's.
    reportZodIssues(parsed.error.issues.filter((issue) => issue.path[0] !== 'steps' || issue.path.length === 1), [], report);
  }
  if (isSeq(doc.get('steps', true))) checkSteps(value as Record<string, unknown>, report);
  const condition = (value as { on?: { if?: unknown } }).on?.if;
  if (typeof condition === 'string') {
    const problem = checkExpression(condition);
    if (problem) report.at(['on', 'if'], 'BAD_EXPRESSION', problem);
  }
  if (report.problems.length > 0 || !parsed.success) return { problems: report.problems };
  return { plan: compile(parsed.data as DefinitionDocument, file), problems: [] };
}

/** Loads one file. */
export function loadDefinitionFile(path: string, displayName = path): { plan?: Plan; problems: Problem[] } {
  let text: string;
  try {
    if (statSync(path).size > MAX_DEFINITION_BYTES) {
      return { problems: [{ code: 'INVALID_VALUE', message: `file is larger than ${MAX_DEFINITION_BYTES} bytes`, file: displayName, line: 1, col: 1 }] };
    }
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return { problems: [{ code: 'FILE_UNREADABLE', message: (error as Error).message, file: displayName, line: 1, col: 1 }] };
  }
  return loadDefinitionText(text, displayName);
}

/** Every `*.yaml`/`*.yml` file under `paths` (files or folders). */
export function definitionFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path, { recursive: true, encoding: 'utf8' }).sort()) {
        if (['.yaml', '.yml'].includes(extname(entry))) files.push(join(path, entry));
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
  const byName = new Map<string, string>();
  for (const file of definitionFiles(paths)) {
    const shown = relative(cwd, file) || basename(file);
    const result = loadDefinitionFile(file, shown);
    problems.push(...result.problems);
    if (!result.plan) continue;
    const first = byName.get(result.plan.name);
    if (first) {
      problems.push({ code: 'DUPLICATE_NAME', message: `definition name '${result.plan.name}' is already used by ${first}`, file: shown, line: 1, col: 1, hint: 'names must be unique within a folder' });
      continue;
    }
    byName.set(result.plan.name, shown);
    plans.push(result.plan);
  }
  return { plans, problems };
}
