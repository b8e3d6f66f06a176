import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.ts';
import { parseDuration, positiveDuration } from './durations.ts';
import type { JsonValue, Plan, PlanStep, PlanTrigger, TemplateValue } from './plan.ts';
import type { DefinitionDocument, StepDocument } from './schema.ts';

/** Default per-attempt timeout of an action step. */
export const DEFAULT_STEP_TIMEOUT_MS = 60_000;
/** Default attempts of an action step (retryable failures only). */
export const DEFAULT_MAX_ATTEMPTS = 10;


/** Drops keys whose value is undefined, so plans are plain JSON that survives a round trip unchanged. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function compileStep(step: StepDocument): PlanStep {
  const common = { id: step.id, ...(step.name !== undefined ? { name: step.name } : {}) };
  if ('action' in step) {
    return {
      kind: 'action',
      ...common,
      action: step.action,
      // Defaults (e.g. role: reader) were applied by the schema, so the plan says exactly what will be sent.
      with: defined(step.with) as Record<string, TemplateValue>,
      timeoutMs: step.timeout ? (positiveDuration(step.timeout) as number) : DEFAULT_STEP_TIMEOUT_MS,
      retry: { maximumAttempts: step.retry?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS },
      continueOnError: step.continueOnError,
    };
  }
  if ('wait' in step) {
    const wait = step.wait;
    if (typeof wait === 'string') return { kind: 'wait', ...common, durationMs: positiveDuration(wait) as number };
    return {
      kind: 'wait',
      ...common,
      until: wait.until,
      ...(wait.offset !== undefined ? { offsetMs: parseDuration(wait.offset) as number } : {}),
      ...(wait.at !== undefined ? { at: wait.at } : {}),
      ...(wait.timezone !== undefined ? { timezone: wait.timezone } : {}),
    };
  }
  if ('approval' in step) {
    const approval = step.approval;
    return {
      kind: 'approval',
      ...common,
      approvers: approval.approvers,
      ...(approval.message !== undefined ? { message: approval.message } : {}),
      timeoutMs: positiveDuration(approval.timeout) as number,
      onTimeout: approval.onTimeout,
    };
  }
  return { kind: 'if', ...common, condition: step.if, then: step.then.map(compileStep), else: (step.else ?? []).map(compileStep) };
}

/**
 * Turns a validated definition (the output of `definitionSchema`, after the loader's
 * checks) into the plain-JSON plan a run interprets, with its content hash.
 */
export function compile(definition: DefinitionDocument, source: string): Plan {
  const on = definition.on;
  const trigger: PlanTrigger =
    'schedule' in on ? { schedule: { cron: on.schedule.cron, timezone: on.schedule.timezone }, for: on.for } : { event: on.event, ...(on.if !== undefined ? { if: on.if } : {}) };
  const body = {
    name: definition.name,
    ...(definition.description !== undefined ? { description: definition.description } : {}),
    trigger,
    ...(definition.vars !== undefined ? { vars: definition.vars as Record<string, JsonValue> } : {}),
    steps: definition.steps.map(compileStep),
  };
  const hash = createHash('sha256').update(canonicalJson(body)).digest('hex');
  return { ...body, hash, version: hash.slice(0, 7), source };
}
