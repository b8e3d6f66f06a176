/**
 * The definition language as zod schemas: the single source of truth for validation,
 * for `tenure schema` (JSON Schema) and for the language reference in docs/definitions.md.
 */
import { z } from 'zod';
import { EVENT_TYPES } from '../events/index.ts';
import { ACTION_NAMES, ACTIONS, durationText, templatedString } from '../activities/actions/index.ts';

export { durationText };

/** Step ids: letters, digits, `_` and `-`. Ids without `-` read as `steps.<id>`; others as `steps["<id>"]`. */
export const stepId = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,62}$/, 'step ids are lowercase letters, digits, _ and -, starting with a letter')
  .describe('Unique within the definition; later expressions read this step as steps.<id>.output');

const stepCommon = {
  id: stepId,
  name: z.string().max(200).optional().describe('Shown in the Temporal UI'),
};

/** Per-step options of action steps. */
export const actionOptions = {
  timeout: durationText.optional().describe('Per-attempt timeout, e.g. 30s, 5m (default 1m)'),
  retry: z
    .strictObject({ maxAttempts: z.number().int().min(1).max(20).describe('Attempts in all, first included (1-20)') })
    .optional()
    .describe('Retries of retryable failures (rate limits, 5xx); default 10 attempts'),
  continueOnError: z.boolean().default(false).describe('Go on with the next step when this one fails for good'),
};

/** An action step as the loader first sees it: `with` is checked against the action's own schema afterwards. */
export const actionStepSchema = z.strictObject({
  ...stepCommon,
  action: z.enum(ACTION_NAMES).describe('What to do'),
  with: z.record(z.string(), z.unknown()).default({}).describe("The action's inputs"),
  ...actionOptions,
});

/** One schema per action, so editors complete and check `with:` for the action named. */
const typedActionSteps = ACTION_NAMES.map((action) => {
  const input: z.ZodObject = ACTIONS[action].input;
  return z.strictObject({
    ...stepCommon,
    action: z.literal(action),
    // An action whose inputs are all optional may leave `with:` out.
    with: input.safeParse({}).success ? input.default({}) : input,
    ...actionOptions,
  });
});

export const waitUntilSchema = z.strictObject({
  until: z.string().min(1).describe('CEL giving a local date (YYYY-MM-DD) or an RFC 3339 time, e.g. employee.startDate'),
  offset: durationText.optional().describe('Added to until, e.g. -1d, 2h'),
  at: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'at is a local time HH:MM, 00:00 to 23:59')
    .optional()
    .describe('Local time of day on the until date, HH:MM'),
  timezone: z.string().optional().describe("IANA zone; default the employee's, else UTC"),
});

export const waitStepSchema = z.strictObject({
  ...stepCommon,
  wait: z.union([durationText.describe('A duration such as 90m, 3d, 12w'), waitUntilSchema]).describe('Pause durably: for a duration, or until a date'),
});

export const approvalSchema = z.strictObject({
  approvers: z
    .array(templatedString(z.string().min(1)))
    .min(1)
    .describe('Who decides: emails or names, templates allowed (e.g. ${{ employee.manager.email }})'),
  message: z.string().max(2000).optional().describe('What is asked; templates allowed'),
  timeout: durationText.default('7d').describe('How long to wait for a decision (default 7d)'),
  onTimeout: z.enum(['approve', 'reject']).default('reject').describe('The outcome when nobody decides in time (default reject)'),
});

export const approvalStepSchema = z.strictObject({
  ...stepCommon,
  approval: approvalSchema.describe('Wait for a person to approve or reject; read the outcome as steps.<id>.output.approved'),
});

/** An if step whose branches are checked step by step afterwards. */
export const ifStepShallowSchema = z.strictObject({
  ...stepCommon,
  if: z.string().min(1).describe('CEL condition'),
  then: z.array(z.unknown()).min(1).describe('Steps run when the condition is true'),
  else: z.array(z.unknown()).optional().describe('Steps run when it is false'),
});

type StepInput =
  | z.input<(typeof typedActionSteps)[number]>
  | z.input<typeof waitStepSchema>
  | z.input<typeof approvalStepSchema>
  | { id: string; name?: string | undefined; if: string; then: StepInput[]; else?: StepInput[] | undefined };

export type ActionStepDocument = z.output<typeof actionStepSchema>;
export type WaitStepDocument = z.output<typeof waitStepSchema>;
export type ApprovalStepDocument = z.output<typeof approvalStepSchema>;
export interface IfStepDocument {
  id: string;
  name?: string | undefined;
  if: string;
  then: StepDocument[];
  else?: StepDocument[] | undefined;
}
export type StepDocument = ActionStepDocument | WaitStepDocument | ApprovalStepDocument | IfStepDocument;

export const ifStepSchema = z.strictObject({
  ...stepCommon,
  if: z.string().min(1).describe('CEL condition over event, employee, changes, vars and earlier steps'),
  get then(): z.ZodArray<z.ZodType<StepDocument, StepInput>> {
    return z.array(stepSchema).min(1).describe('Steps run when the condition is true');
  },
  get else(): z.ZodOptional<z.ZodArray<z.ZodType<StepDocument, StepInput>>> {
    return z.array(stepSchema).optional().describe('Steps run when it is false');
  },
});

export const stepSchema: z.ZodType<StepDocument, StepInput> = z.union([...typedActionSteps, waitStepSchema, ifStepSchema, approvalStepSchema]);

export const eventTriggerSchema = z.strictObject({
  event: z.enum(EVENT_TYPES).describe('The HR event that starts a run'),
  if: z.string().min(1).optional().describe('CEL condition over event, employee, changes and vars; the run starts only when true'),
});

/** Whom a scheduled definition acts on. */
export const SCHEDULE_SELECTORS = ['departed-with-access'] as const;

export const scheduleTriggerSchema = z.strictObject({
  schedule: z
    .strictObject({
      cron: z.string().min(1).describe('Five-field cron (minute hour day-of-month month day-of-week), or @hourly, @daily, @weekly, @monthly, @yearly'),
      timezone: z.string().default('UTC').describe('IANA zone the cron is read in (default UTC)'),
    })
    .describe('Run on a schedule (a Temporal Schedule)'),
  for: z
    .enum(SCHEDULE_SELECTORS)
    .describe(
      'Whom each tick acts on, each as that person\'s own run with `employee` set: departed-with-access = people whose last HR event was a departure but who, by the identity map, are still invited or active at OpenAI',
    ),
});

export const varName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'var names are letters, digits and _, not starting with a digit');

export const definitionSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,62}$/, 'names are lowercase letters, digits and dashes, starting with a letter')
    .describe('Unique in the folder; part of every run id'),
  description: z.string().max(2000).optional(),
  on: z.union([eventTriggerSchema, scheduleTriggerSchema]).describe('What starts a run'),
  vars: z.record(varName, z.json()).optional().describe('Constant data expressions read as vars.<name>, e.g. a department → project table'),
  steps: z.array(stepSchema).min(1).describe('Run in order'),
});

export type DefinitionDocument = z.output<typeof definitionSchema>;

const actionStepsByName = new Map<string, z.ZodType>(ACTION_NAMES.map((action, i) => [action, typedActionSteps[i] as z.ZodType]));
const definitionHeadSchema = definitionSchema.omit({ steps: true });

type Parsed<T> = { success: true; data: T } | { success: false };

/** One step, by the one branch of {@link stepSchema} its kind key selects. */
function parseStep(value: unknown): Parsed<StepDocument> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { success: false };
  const step = value as Record<string, unknown>;
  const kinds = ['action', 'wait', 'approval', 'if'].filter((key) => key in step);
  if (kinds.length !== 1) return { success: false };
  if (kinds[0] === 'if') {
    const head = ifStepShallowSchema.safeParse(step);
    if (!head.success) return { success: false };
    const then = parseSteps(head.data.then);
    const otherwise = head.data.else === undefined ? undefined : parseSteps(head.data.else);
    if (!then.success || (otherwise && !otherwise.success)) return { success: false };
    const { then: _then, else: _else, ...common } = head.data;
    return { success: true, data: { ...common, then: then.data, ...(otherwise?.success ? { else: otherwise.data } : {}) } };
  }
  const schema = kinds[0] === 'action' ? actionStepsByName.get(String(step.action)) : kinds[0] === 'wait' ? waitStepSchema : approvalStepSchema;
  const parsed = schema?.safeParse(step);
  return parsed?.success ? { success: true, data: parsed.data as StepDocument } : { success: false };
}

function parseSteps(values: unknown[]): Parsed<StepDocument[]> {
  const steps: StepDocument[] = [];
  for (const value of values) {
    const step = parseStep(value);
    if (!step.success) return { success: false };
    steps.push(step.data);
  }
  return { success: true, data: steps };
}

/**
 * What `definitionSchema.parse(value)` gives for a valid definition, faster: each step is
 * parsed by the branch its kind key (`action` and its name, `wait`, `approval`, `if`)
 * selects, where the union would try every branch in turn and collect the issues of each
 * that fails. Undefined when the value is not valid: `definitionSchema.safeParse` then says why.
 */
export function parseValidDefinition(value: unknown): DefinitionDocument | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const { steps, ...rest } = value as Record<string, unknown>;
  if (!Array.isArray(steps) || steps.length === 0) return undefined;
  const head = definitionHeadSchema.safeParse(rest);
  const parsed = parseSteps(steps);
  if (!head.success || !parsed.success) return undefined;
  return { ...head.data, steps: parsed.data };
}
