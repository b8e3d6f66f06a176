import { Context, log } from '@temporalio/activity';
import { positiveDuration } from '../dsl/index.ts';
import { maskEmail } from '../logging/index.ts';
import type { Secret } from '../config/index.ts';
import type { Store } from '../store/index.ts';
import type { AdminClient } from './openai/admin-client.ts';
import { checkAcceptance } from './openai/acceptance.ts';
import { ActionRefusedError, InviteNotYetAcceptedError } from './openai/errors.ts';
import { atOpenAIBoundary } from './openai/failures.ts';
import { inviteUser, type IdempotencyHints } from './openai/invite.ts';
import { removeMember, setRole } from './openai/members.ts';
import { addToProject, removeFromProject } from './openai/projects.ts';
import { createNotifyActivities } from './notify.ts';
import { createRecordActivities } from './record.ts';
import { ACTIONS, type ActionActivities, type ActionName, type ActionResult, type AuditRowStart } from './actions/index.ts';
import { scimDeactivate, scimProvision, scimReactivate } from './scim/actions.ts';
import type { ScimClient } from './scim/client.ts';
import type {
  AwaitAcceptanceInput,
  InviteInput,
  ProjectMembershipInput,
  RemoveFromProjectInput,
  RemoveInput,
  ScimProvisionInput,
  ScimUserInput,
  SetRoleInput,
} from './contract.ts';

/** Default pause between two looks of `openai.awaitAcceptance`, ms: people accept invites in hours, not seconds. */
export const DEFAULT_ACCEPTANCE_POLL_MS = 5 * 60_000;

export interface ActivityDependencies {
  openai: AdminClient;
  /** The SCIM service; without it the `openai.scim.*` actions fail with SCIM_NOT_CONFIGURED. */
  scim?: ScimClient | undefined;
  store: Store;
  clock?: () => Date;
  /** Pause between two looks of `openai.awaitAcceptance`, ms. Default {@link DEFAULT_ACCEPTANCE_POLL_MS}. */
  acceptancePollMs?: number | undefined;
  /** Secrets definitions may name (TENURE_SECRET_<NAME>), e.g. a notify webhook URL. Default: none. */
  secrets?: ReadonlyMap<string, Secret>;
  /**
   * The level the text of a notification without a webhook is logged at. Default `debug`: the
   * text may name the person. The sandbox (`tenure dev` without an OpenAI key) logs it at `info`,
   * addresses masked, since its log is where such a message is read.
   */
  notifyTextLevel?: 'info' | 'debug';
}

/** The activity's Temporal attempt info, when it runs in one (tests may call the functions directly). */
function attemptInfo(): { attempt: number; scheduledTimestampMs: number } | undefined {
  try {
    return Context.current().info;
  } catch {
    return undefined;
  }
}

function hints(): IdempotencyHints {
  const info = attemptInfo();
  return info && info.attempt > 1 ? { retryOfAttemptSince: info.scheduledTimestampMs } : {};
}

/** The result with the identity change its action declares; logged when run by Temporal. */
function logged(action: ActionName, result: ActionResult, observed: Date): ActionResult {
  const identity = ACTIONS[action].identity(result);
  // The outcome is readable by later steps too (`steps.<id>.output.outcome`): announce an invite only when one was sent.
  const done = { ...result, output: { ...result.output, outcome: result.outcome }, identity: identity && { ...identity, observedAt: observed.toISOString() } };
  // The target is often the person's address: masked, so an info line carries no personal data.
  if (attemptInfo()) log.info('action done', { action, target: result.target === null ? null : maskEmail(result.target), outcome: result.outcome, openaiIds: result.openaiIds });
  return done;
}

/**
 * Each action's activity records its own success: given the audit row's known fields with its
 * input (`auditRow`), it writes the row, and the identity change, as soon as OpenAI has answered,
 * in the attempt that had the effect. The run then records nothing (no local activity after the
 * step), and no worker can die between the effect and its record. A store that cannot take the
 * row leaves it to the run (`recorded: false`, logged); the effect is never redone for it.
 */
function recordingOwnSuccess<T extends object>(activities: T, store: Pick<Store, 'record'>, clock: () => Date): T {
  const wrapped: Record<string, unknown> = { ...(activities as Record<string, unknown>) };
  for (const declaration of Object.values(ACTIONS)) {
    if (declaration.activity === null) continue;
    const act = (activities as Record<string, (input: object) => Promise<ActionResult>>)[declaration.activity]!;
    wrapped[declaration.activity] = async (input: { auditRow?: AuditRowStart }): Promise<ActionResult> => {
      const { auditRow, ...rest } = input;
      const result = await act(rest);
      if (!auditRow) return result;
      try {
        await store.record({ ...auditRow, target: result.target, outcome: result.outcome, openaiIds: result.openaiIds, identity: result.identity ?? null }, clock());
        return { ...result, recorded: true };
      } catch (error) {
        if (attemptInfo()) log.warn('the outcome could not be recorded by the activity; the run records it', { action: auditRow.action, error: (error as Error).message });
        return { ...result, recorded: false };
      }
    };
  }
  return wrapped as T;
}

/**
 * Every activity Tenure registers, built over injected clients. Workflows proxy
 * `ReturnType<typeof createActivities>`; tests build it over the emulator and a real store.
 * Each action looks before it acts, so running it twice — or again after a crash between
 * the call and its completion — leaves exactly one effect.
 */
export function createActivities({ openai, scim, store, clock = () => new Date(), acceptancePollMs = DEFAULT_ACCEPTANCE_POLL_MS, secrets = new Map(), notifyTextLevel = 'debug' }: ActivityDependencies) {
  const needScim = (): ScimClient => {
    if (!scim) {
      throw new ActionRefusedError('SCIM_NOT_CONFIGURED', 'no SCIM service is configured: set OPENAI_SCIM_BASE_URL and OPENAI_SCIM_TOKEN for the worker');
    }
    return scim;
  };
  /** The person's identity-map row, or undefined (logged) when the store cannot answer: the walk by email then stands in. */
  const knownIdentity = async (subject: InviteInput['subject']) =>
    subject
      ? store.identity(subject.source, subject.employeeId).catch((error: unknown) => {
          log.warn('identity map unreadable: OpenAI is searched by email instead', { error: (error as Error).message });
          return undefined;
        })
      : undefined;
  return recordingOwnSuccess({
    /** `openai.invite`: invite unless already a member (role ensured) or invited; resend an expired invite. */
    async openaiInvite(input: InviteInput): Promise<ActionResult> {
      // The identity map only spares a walk of the invite list: when the store cannot answer,
      // the invite still goes out, found or created by that walk, as for a person never seen.
      const known = await knownIdentity(input.subject);
      return logged('openai.invite', await atOpenAIBoundary(() => inviteUser(openai, input, hints(), known ? { inviteId: known.inviteId } : undefined)), clock());
    },

    /**
     * `openai.awaitAcceptance`: one look per attempt. While the invite is pending it fails
     * with the retryable INVITE_NOT_YET_ACCEPTED and a fixed next-retry delay, so Temporal
     * schedules the next look and no worker slot is held in between; the wait ends at the
     * first attempt's scheduled time plus `timeout`.
     */
    async openaiAwaitAcceptance(input: AwaitAcceptanceInput): Promise<ActionResult> {
      return atOpenAIBoundary(async () => {
        const timeoutMs = positiveDuration(input.timeout);
        if (timeoutMs === undefined) {
          throw new ActionRefusedError('INVALID_ACTION_INPUT', `openai.awaitAcceptance: timeout '${input.timeout}' is not a duration such as 14d or 36h`);
        }
        const nowMs = clock().getTime();
        const startedMs = attemptInfo()?.scheduledTimestampMs ?? nowMs;
        return logged('openai.awaitAcceptance', await checkAcceptance(openai, input, { nowMs, deadlineMs: startedMs + timeoutMs, pollMs: acceptancePollMs }), clock());
      });
    },

    /**
     * One look for `openai.awaitAcceptance`, as runs started since waiting is shown as
     * waiting do it (the run, and the `awaitAcceptance` workflow it starts, pause between
     * looks with timers): accepted → `{ done }` with the action's result; still pending →
     * `{ waiting }` with the invite and when it was sent (an expired invite is resent
     * first); past `deadlineMs` or nothing to wait for → the action's refusal, as before.
     * `maxPauseMs` is the configured longest pause between looks (OPENAI_ACCEPTANCE_POLL_MS).
     */
    async openaiLookForAcceptance(input: AwaitAcceptanceInput & { deadlineMs: number }): Promise<AcceptanceLook> {
      return atOpenAIBoundary(async () => {
        try {
          return { done: logged('openai.awaitAcceptance', await checkAcceptance(openai, input, { nowMs: clock().getTime(), deadlineMs: input.deadlineMs, pollMs: acceptancePollMs }), clock()), maxPauseMs: acceptancePollMs };
        } catch (error) {
          if (!(error instanceof InviteNotYetAcceptedError)) throw error;
          const sentAt = error.sentAtMs !== undefined ? new Date(error.sentAtMs).toISOString() : null;
          return { waiting: { inviteId: error.inviteId, sentAt }, maxPauseMs: acceptancePollMs };
        }
      });
    },

    async openaiSetRole(input: SetRoleInput): Promise<ActionResult> {
      return logged('openai.setRole', await atOpenAIBoundary(() => setRole(openai, input)), clock());
    },
    /** `openai.remove`: by the ids in the identity map first, then by email. */
    async openaiRemove(input: RemoveInput): Promise<ActionResult> {
      // The identity map adds ids the email cannot find (a changed address); when the store
      // cannot answer, the member and invites found by email are still removed.
      const known = await knownIdentity(input.subject);
      return logged(
        'openai.remove',
        // Only ids of access Tenure believes still given can have been removed by an earlier attempt of this action.
        await atOpenAIBoundary(() => removeMember(openai, input, { userId: known?.openaiUserId ?? null, inviteId: known?.inviteId ?? null }, known?.status === 'invited' || known?.status === 'active' ? hints() : {})),
        clock(),
      );
    },
    async openaiAddToProject(input: ProjectMembershipInput): Promise<ActionResult> {
      return logged('openai.addToProject', await atOpenAIBoundary(() => addToProject(openai, input)), clock());
    },
    async openaiRemoveFromProject(input: RemoveFromProjectInput): Promise<ActionResult> {
      return logged('openai.removeFromProject', await atOpenAIBoundary(() => removeFromProject(openai, input)), clock());
    },
    async scimProvision(input: ScimProvisionInput): Promise<ActionResult> {
      return logged('openai.scim.provision', await atOpenAIBoundary(() => scimProvision(needScim(), input)), clock());
    },
    async scimDeactivate(input: ScimUserInput): Promise<ActionResult> {
      return logged('openai.scim.deactivate', await atOpenAIBoundary(() => scimDeactivate(needScim(), input)), clock());
    },
    async scimReactivate(input: ScimUserInput): Promise<ActionResult> {
      return logged('openai.scim.reactivate', await atOpenAIBoundary(() => scimReactivate(needScim(), input)), clock());
    },

    ...createNotifyActivities({ secrets, textLevel: notifyTextLevel }),

    ...createRecordActivities({ store, clock }),
  } satisfies ActionActivities & Record<string, unknown>, store, clock);
}

export type Activities = ReturnType<typeof createActivities>;

/** One look for an invite's acceptance: the action's result once accepted, else what is waited for. */
export type AcceptanceLook = ({ done: ActionResult; waiting?: undefined } | { done?: undefined; waiting: { inviteId: string; sentAt: string | null } }) & {
  /** The longest pause between two looks, ms (OPENAI_ACCEPTANCE_POLL_MS). */
  maxPauseMs: number;
};
