import { Context, log } from '@temporalio/activity';
import { positiveDuration } from '../dsl/index.ts';
import type { Secret } from '../config/index.ts';
import type { Store } from '../store/index.ts';
import type { AdminClient } from './openai/admin-client.ts';
import { checkAcceptance } from './openai/acceptance.ts';
import { ActionRefusedError } from './openai/errors.ts';
import { atOpenAIBoundary } from './openai/failures.ts';
import { inviteUser, type IdempotencyHints } from './openai/invite.ts';
import { removeMember, setRole } from './openai/members.ts';
import { addToProject, removeFromProject } from './openai/projects.ts';
import { createNotifyActivities } from './notify.ts';
import { createRecordActivities } from './record.ts';
import type { ActionResult } from './results.ts';
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

function logged(action: string, result: ActionResult): ActionResult {
  if (attemptInfo()) log.info('action done', { action, target: result.target, outcome: result.outcome, openaiIds: result.openaiIds });
  return result;
}

/**
 * Every activity Tenure registers, built over injected clients. Workflows proxy
 * `ReturnType<typeof createActivities>`; tests build it over the emulator and a real store.
 * Each action looks before it acts, so running it twice — or again after a crash between
 * the call and its completion — leaves exactly one effect.
 */
export function createActivities({ openai, scim, store, clock = () => new Date(), acceptancePollMs = DEFAULT_ACCEPTANCE_POLL_MS, secrets = new Map() }: ActivityDependencies) {
  const needScim = (): ScimClient => {
    if (!scim) {
      throw new ActionRefusedError('SCIM_NOT_CONFIGURED', 'no SCIM service is configured: set OPENAI_SCIM_BASE_URL and OPENAI_SCIM_TOKEN for the worker');
    }
    return scim;
  };
  return {
    /** `openai.invite`: invite unless already a member (role ensured) or invited; resend an expired invite. */
    async openaiInvite(input: InviteInput): Promise<ActionResult> {
      return logged('openai.invite', await atOpenAIBoundary(() => inviteUser(openai, input, hints())));
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
        return logged('openai.awaitAcceptance', await checkAcceptance(openai, input, { nowMs, deadlineMs: startedMs + timeoutMs, pollMs: acceptancePollMs }));
      });
    },

    async openaiSetRole(input: SetRoleInput): Promise<ActionResult> {
      return logged('openai.setRole', await atOpenAIBoundary(() => setRole(openai, input)));
    },
    /** `openai.remove`: by the ids in the identity map first, then by email. */
    async openaiRemove(input: RemoveInput): Promise<ActionResult> {
      const known = input.subject ? await store.identity(input.subject.source, input.subject.employeeId) : undefined;
      return logged(
        'openai.remove',
        await atOpenAIBoundary(() => removeMember(openai, input, { userId: known?.openaiUserId ?? null, inviteId: known?.inviteId ?? null })),
      );
    },
    async openaiAddToProject(input: ProjectMembershipInput): Promise<ActionResult> {
      return logged('openai.addToProject', await atOpenAIBoundary(() => addToProject(openai, input)));
    },
    async openaiRemoveFromProject(input: RemoveFromProjectInput): Promise<ActionResult> {
      return logged('openai.removeFromProject', await atOpenAIBoundary(() => removeFromProject(openai, input)));
    },
    async scimProvision(input: ScimProvisionInput): Promise<ActionResult> {
      return logged('openai.scim.provision', await atOpenAIBoundary(() => scimProvision(needScim(), input)));
    },
    async scimDeactivate(input: ScimUserInput): Promise<ActionResult> {
      return logged('openai.scim.deactivate', await atOpenAIBoundary(() => scimDeactivate(needScim(), input)));
    },
    async scimReactivate(input: ScimUserInput): Promise<ActionResult> {
      return logged('openai.scim.reactivate', await atOpenAIBoundary(() => scimReactivate(needScim(), input)));
    },

    ...createNotifyActivities({ secrets }),

    ...createRecordActivities({ store, clock }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
