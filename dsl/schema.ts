/**
 * The definition language as zod schemas: the single source of truth for validation,
 * for `tenure schema` (JSON Schema) and for the language reference in docs/definitions.md.
 */
import { z } from 'zod';
import { EVENT_TYPES } from '../events/index.ts';
import { ACTION_NAMES, type ActionName } from './plan.ts';

const TEMPLATE_ONLY = /^\$\{\{.+\}\}$/s;

/** A string that is either a literal matching `literal`, or a `${{ … }}` template. */
const templatedString = (literal: z.ZodType<string>) => z.union([z.string().regex(TEMPLATE_ONLY), literal]);

/** A duration such as `90m`, `3d`, `2w` or `1h30m` (units s, m, h, d, w). */
export const durationText = z.string().min(1);

const projectGrant = z.strictObject({
  id: z.string().min(1).describe('Project id, e.g. proj_abc123; templates allowed'),
  role: z.enum(['member', 'owner']).default('member').describe('Project role'),
});

const email = (what: string) => templatedString(z.email()).describe(`${what}; an email address, usually \${{ employee.email }}`);

/**
 * Each action's own `with:` schema, so a typo is a load error rather than a runtime
 * failure. The keys are exactly the activities' inputs (activities/contract.ts): the
 * engine passes the rendered `with` to the activity as it is.
 */
export const ACTION_INPUTS = {
  'openai.invite': z.strictObject({
    email: email('Who to invite'),
    role: z.enum(['reader', 'owner']).default('reader').describe('Organization role'),
    projects: z.array(projectGrant).optional().describe('Projects joined on acceptance; omitted = the default project, [] = none'),
  }),
  'openai.awaitAcceptance': z.strictObject({
    email: email('Whose invite to wait for'),
    timeout: durationText.default('14d').describe('Give up after this long, e.g. 14d'),
    resendExpired: z.boolean().default(true).describe('Resend an invite that expires while waiting'),
  }),
  'openai.setRole': z.strictObject({
    email: email('Whose role to change'),
    role: z.enum(['reader', 'owner']).describe('New organization role'),
  }),
  'openai.remove': z.strictObject({
    email: email('Who to remove: a member is removed, a pending invite revoked'),
  }),
  'openai.addToProject': z.strictObject({
    email: email('Who to add'),
    projectId: z.string().min(1).describe('Project id, e.g. proj_abc123; templates allowed'),
    role: z.enum(['member', 'owner']).default('member').describe('Project role'),
  }),
  'openai.removeFromProject': z.strictObject({
    email: email('Who to remove from the project'),
    projectId: z.string().min(1).describe('Project id, e.g. proj_abc123; templates allowed'),
  }),
  'openai.scim.provision': z.strictObject({
    userName: email('SCIM userName'),
    givenName: z.string().optional().describe('Given name; templates allowed'),
    familyName: z.string().optional().describe('Family name; templates allowed'),
    externalId: z.string().optional().describe('The HR id, usually ${{ employee.id }}'),
  }),
  'openai.scim.deactivate': z.strictObject({ userName: email('SCIM userName to deactivate (active: false)') }),
  'openai.scim.reactivate': z.strictObject({ userName: email('SCIM userName to reactivate (active: true)') }),
  record: z.strictObject({
    note: z.string().max(2000).optional().describe('Free text for the audit log; templates allowed'),
  }),
  notify: z.strictObject({
    channel: z.string().min(1).describe('A channel name, shown in the message and the audit log'),
    text: z.string().min(1).max(4000).describe('Message text; templates allowed'),
    secret: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]{0,63}$/, 'secret names are UPPER_SNAKE_CASE, e.g. SLACK_WEBHOOK')
      .optional()
      .describe(
        'Name of the secret holding the incoming-webhook URL to post to (Slack-compatible JSON {"text": …}); the worker reads it from TENURE_SECRET_<NAME>. Without it the message is only logged.',
      ),
  }),
} satisfies Record<ActionName, z.ZodType>;

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
const typedActionSteps = ACTION_NAMES.map((action) =>
  z.strictObject({
    ...stepCommon,
    action: z.literal(action),
    with: action === 'record' ? ACTION_INPUTS.record.default({}) : ACTION_INPUTS[action],
    ...actionOptions,
  }),
);

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
