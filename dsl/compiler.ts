import { createHash } from 'node:crypto';
import { parseDuration, positiveDuration } from './durations.ts';
import type { Plan, PlanStep, TemplateValue } from './plan.ts';
import { ACTION_INPUTS, type DefinitionDocument } from './schema.ts';

/** Default per-attempt timeout of an action step. */
export const DEFAULT_STEP_TIMEOUT_MS = 60_000;
/** Default attempts of an action step (retryable failures only). */
export const DEFAULT_MAX_ATTEMPTS = 10;

/** JSON with object keys sorted, so equal definitions hash equally whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Turns a validated definition into the plain-JSON plan a run interprets. */
export function compile(definition: DefinitionDocument, source: string): Plan {
  const steps: PlanStep[] = definition.steps.map((step): PlanStep => {
    if ('action' in step) {
      return {
        kind: 'action',
        id: step.id,
        action: step.action,
        // Defaults (e.g. role: reader) are applied here, so the plan says exactly what will be sent.
        with: ACTION_INPUTS[step.action].parse(step.with) as Record<string, TemplateValue>,
        timeoutMs: step.timeout ? (positiveDuration(step.timeout) as number) : DEFAULT_STEP_TIMEOUT_MS,
        retry: { maximumAttempts: step.retry?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS },
        continueOnError: step.continueOnError,
      };
    }
    const wait = step.wait;
    if (typeof wait === 'string') return { kind: 'wait', id: step.id, durationMs: positiveDuration(wait) as number };
    return {
      kind: 'wait',
      id: step.id,
      until: wait.until,
      ...(wait.offset !== undefined ? { offsetMs: parseDuration(wait.offset) as number } : {}),
      ...(wait.at !== undefined ? { at: wait.at } : {}),
      ...(wait.timezone !== undefined ? { timezone: wait.timezone } : {}),
    };
  });
  const body = {
    name: definition.name,
    ...(definition.description !== undefined ? { description: definition.description } : {}),
    trigger: { event: definition.on.event, ...(definition.on.if !== undefined ? { if: definition.on.if } : {}) },
    steps,
  };
  const hash = createHash('sha256').update(canonicalJson(body)).digest('hex');
  return { ...body, hash, version: hash.slice(0, 7), source };
}
