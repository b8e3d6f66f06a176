import { z } from 'zod';

/** OpenAI ids an action involved (ids only, never keys). */
export interface OpenAIIds {
  /** An organization user, `user-…`. */
  userId?: string;
  /** An invite, `invite-…`. */
  inviteId?: string;
  /** A SCIM user resource. */
  scimId?: string;
  /** A project, `proj_…`. */
  projectId?: string;
}

/** Where a person stands at OpenAI, as the identity map records it. */
export type IdentityStatus = 'invited' | 'active' | 'removed' | 'deactivated';

/** What one action's outcome changes in the person's identity-map row. */
export interface IdentityChange {
  status: IdentityStatus;
  email?: string;
  /** `undefined` keeps the stored value; `null` clears it. */
  openaiUserId?: string | null;
  inviteId?: string | null;
  scimId?: string | null;
  /**
   * When the activity saw OpenAI in this state (ISO 8601 UTC, the worker's clock). The store
   * applies a change only if it is not older than the one the row holds, so a write that
   * reaches it late (a retried recording after a crash) cannot undo a later action's.
   * Absent in changes recorded before it was set: those apply as they arrive.
   */
  observedAt?: string;
}

/** What every action activity returns: a typed outcome, the OpenAI ids involved and the identity change they make. */
export interface ActionResult {
  /** `logged`: a notification with no webhook to post to, written to the worker's log only. */
  outcome: 'created' | 'updated' | 'removed' | 'noop' | 'logged';
  /** Whom the action was about (an email, a SCIM userName, a channel). */
  target: string | null;
  openaiIds: OpenAIIds;
  /** Readable by later steps as `steps.<id>.output`. */
  output: Record<string, unknown>;
  /** Set by the activity from its declaration; absent in results recorded before it was. */
  identity?: IdentityChange | null;
  /**
   * True when the activity wrote the step's audit row itself (it was given `auditRow`): the run
   * records nothing more. False or absent: the run records the outcome, as before.
   */
  recorded?: boolean;
}

/**
 * The audit row's fields a run knows before its action runs, given with the action's input
 * (`auditRow`) so that the activity records its own success in the attempt that had the effect.
 */
export interface AuditRowStart {
  /** Unique per fact; the engine uses `<runId>/<stepId>`. Writing it again adds nothing. */
  recordKey: string;
  runId: string;
  definition: string;
  definitionHash: string;
  eventId: string;
  eventType: string;
  source: string;
  employeeId: string;
  stepId: string;
  action: string;
}

/** The part of a result an identity change is derived from. */
export type ActionFacts = Pick<ActionResult, 'outcome' | 'target' | 'openaiIds'>;

/** Whom an action is about in HR terms: lets offboarding find them in the identity map. */
export interface Subject {
  source: string;
  employeeId: string;
}

/**
 * One action of the definition language, declared once. The loader checks `with:` against
 * `input`, the activity's input type is inferred from it, the interpreter schedules
 * `activity` as the flags say, and the store applies what `identity` returns.
 */
export interface ActionDeclaration<Name extends string = string, Input extends z.ZodObject = z.ZodObject, Activity extends string | null = string | null> {
  name: Name;
  /** The `with:` schema (templates allowed where it says so). */
  input: Input;
  /**
   * The activity that performs it: its name is written in every run's history, so it never
   * changes. `null`: the engine records the step itself (nothing runs).
   */
  activity: Activity;
  /** Runs on the rate-limited OpenAI task queue (else on the run's own). */
  openaiQueue: boolean;
  /** Changes something at OpenAI: takes the person's lease first, and once started runs to its end even if the run is superseded. */
  lease: boolean;
  /** Only reads: a supersession may cancel it half-way (it changed nothing). */
  readOnly: boolean;
  /**
   * Polls until done, for as long as the duration in `with.<pollsFor>` says: the person's
   * lease is given back first, attempts are unlimited, and the loader checks the duration.
   */
  pollsFor?: string;
  /**
   * One look of a polling action, as an activity that answers done or still waiting: the
   * run then shows `waiting` and pauses between looks with timers (a minute at first,
   * backing off), instead of retrying a failing activity.
   */
  look?: 'openaiLookForAcceptance';
  /** The engine adds `subject` (the person's HR identity) to the input, for the identity map. */
  subject?: boolean;
  /**
   * How values that templates put into a `with:` field are escaped, by field: what HR sent
   * must not become markup where the text lands (the definition's own text is left as written).
   */
  escape?: Readonly<Record<string, (text: string) => string>>;
  /** How a successful outcome moves the identity map; null when it does not. */
  identity(facts: ActionFacts): IdentityChange | null;
}

/** Declares an action, keeping its literal name, activity and flags for the types derived from it. */
export function declareAction<const D extends ActionDeclaration>(declaration: D): D {
  return declaration;
}

// ── identity changes shared by several actions ───────────────────────────────

/** The ids a result names, as identity-map fields; the target is the person's email (or SCIM userName). */
export function identityIds(facts: ActionFacts): Omit<IdentityChange, 'status'> {
  const { openaiIds: ids, target } = facts;
  return {
    ...(ids.userId !== undefined ? { openaiUserId: ids.userId } : {}),
    ...(ids.inviteId !== undefined ? { inviteId: ids.inviteId } : {}),
    ...(ids.scimId !== undefined ? { scimId: ids.scimId } : {}),
    ...(target ? { email: target } : {}),
  };
}

/** A user id means active, an invite id alone means invited; otherwise nothing is known. */
export function identityFromIds(facts: ActionFacts): IdentityChange | null {
  const ids = identityIds(facts);
  if (ids.openaiUserId !== undefined) return { status: 'active', ...ids };
  if (ids.inviteId !== undefined) return { status: 'invited', ...ids };
  return null;
}

/** The action leaves the person in `status`, whatever ids it names. */
export const identityBecomes =
  (status: IdentityStatus) =>
  (facts: ActionFacts): IdentityChange => ({ status, ...identityIds(facts) });

/** Changes nothing in the identity map. */
export const noIdentityChange = (): null => null;

// ── input fields shared by several actions ───────────────────────────────────

const TEMPLATE_ONLY = /^\$\{\{.+\}\}$/s;

/** A string that is either a literal matching `literal`, or a `${{ … }}` template. */
export const templatedString = (literal: z.ZodType<string>) => z.union([z.string().regex(TEMPLATE_ONLY), literal]);

/** A duration such as `90m`, `3d`, `2w` or `1h30m` (units s, m, h, d, w). */
export const durationText = z.string().min(1);

/** An email address, or a template giving one. */
export const email = (what: string) => templatedString(z.email()).describe(`${what}; an email address, usually \${{ employee.email }}`);

export const orgRole = z.enum(['reader', 'owner']);
export const projectRole = z.enum(['member', 'owner']);
export const projectId = z.string().min(1).describe('Project id, e.g. proj_abc123; templates allowed');
