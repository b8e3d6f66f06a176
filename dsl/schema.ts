/**
 * The definition language as zod schemas: the single source of truth for validation,
 * for `tenure schema` (JSON Schema) and for the language reference.
 */
import { z } from 'zod';
import { EVENT_TYPES } from '../events/index.ts';
import { ACTION_NAMES, type ActionName } from './plan.ts';

const TEMPLATE_ONLY = /^\$\{\{.+\}\}$/s;

/** A string that is either a literal matching `literal`, or a `${{ … }}` template. */
const templatedString = (literal: z.ZodType<string>) => z.union([z.string().regex(TEMPLATE_ONLY), literal]);

const projectGrant = z.strictObject({
  id: z.string().min(1).describe('Project id, e.g. proj_abc123'),
  role: z.enum(['member', 'owner']).default('member').describe('Project role'),
});

/** Each action's own `with:` schema, so a typo is a load error rather than a runtime failure. */
export const ACTION_INPUTS = {
  'openai.invite': z.strictObject({
    email: templatedString(z.email()).describe('Email to invite; usually ${{ employee.email }}'),
    role: z.enum(['reader', 'owner']).default('reader').describe('Organization role'),
    projects: z.array(projectGrant).optional().describe('Projects joined on acceptance; omitted = the default project'),
  }),
  'openai.awaitAcceptance': z.strictObject({
    email: templatedString(z.email()),
    timeout: z.string().default('14d').describe('Give up after this long, e.g. 14d'),
    resendExpired: z.boolean().default(true).describe('Resend an invite that expires while waiting'),
  }),
  'openai.setRole': z.strictObject({
    email: templatedString(z.email()),
    role: z.enum(['reader', 'owner']),
  }),
  'openai.remove': z.strictObject({
    email: templatedString(z.email()),
  }),
  'openai.addToProject': z.strictObject({
    email: templatedString(z.email()),
    projectId: z.string().min(1).describe('Project id, e.g. proj_abc123'),
    role: z.enum(['member', 'owner']).default('member'),
  }),
  'openai.removeFromProject': z.strictObject({
    email: templatedString(z.email()),
    projectId: z.string().min(1).describe('Project id, e.g. proj_abc123'),
  }),
  'openai.scim.provision': z.strictObject({
    userName: templatedString(z.email()),
    givenName: z.string().optional(),
    familyName: z.string().optional(),
    externalId: z.string().optional(),
  }),
  'openai.scim.deactivate': z.strictObject({ userName: templatedString(z.email()) }),
  'openai.scim.reactivate': z.strictObject({ userName: templatedString(z.email()) }),
  record: z.strictObject({
    note: z.string().max(2000).optional().describe('Free text written to the audit log'),
  }),
  notify: z.strictObject({
    channel: z.string().min(1).describe('Where the notification goes'),
    text: z.string().min(1).max(4000).describe('Message text; may use ${{ … }}'),
  }),
} satisfies Record<ActionName, z.ZodType>;

export const stepId = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,62}$/, 'step ids are lowercase letters, digits and dashes, starting with a letter');

const stepCommon = {
  id: stepId,
  name: z.string().max(200).optional().describe('Shown in the Temporal UI'),
};

export const actionStepSchema = z.strictObject({
  ...stepCommon,
  action: z.enum(ACTION_NAMES),
  with: z.record(z.string(), z.unknown()).default({}),
  timeout: z.string().optional().describe('Per-attempt timeout, e.g. 30s, 5m'),
  retry: z.strictObject({ maxAttempts: z.number().int().min(1).max(20) }).optional(),
  continueOnError: z.boolean().default(false),
});

export const waitStepSchema = z.strictObject({
  ...stepCommon,
  wait: z.union([
    z.string().describe('A duration such as 90m or 3d'),
    z.strictObject({
      until: z.string().min(1).describe('CEL giving a local date or an RFC 3339 time, e.g. employee.startDate'),
      offset: z.string().optional().describe('Added to until, e.g. -1d'),
      at: z
        .string()
        .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'at is a local time HH:MM')
        .optional(),
      timezone: z.string().optional().describe("IANA zone; default the employee's, else UTC"),
    }),
  ]),
});

export const stepSchema = z.union([actionStepSchema, waitStepSchema]);

export const definitionSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,62}$/, 'names are lowercase letters, digits and dashes, starting with a letter'),
  description: z.string().max(2000).optional(),
  on: z.strictObject({
    event: z.enum(EVENT_TYPES),
    if: z.string().min(1).optional().describe('CEL condition over event, employee and changes'),
  }),
  steps: z.array(stepSchema).min(1),
});

export type DefinitionDocument = z.infer<typeof definitionSchema>;
export type ActionStepDocument = z.infer<typeof actionStepSchema>;
export type WaitStepDocument = z.infer<typeof waitStepSchema>;
