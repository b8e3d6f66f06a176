import { ActivityFailure, ApplicationFailure, continueAsNew, proxyActivities, setCurrentDetails, sleep } from '@temporalio/workflow';
import type { ActionResult, Activities } from '../activities/index.ts';
import type { AwaitAcceptanceInput } from '../activities/contract.ts';

export interface AwaitAcceptanceWorkflowInput {
  look: AwaitAcceptanceInput & { deadlineMs: number };
  /** The invite waited for, and when it was sent (ISO 8601), from the run's first look. */
  invite: { inviteId: string; sentAt: string | null };
  /** The pause before the next look, ms; it doubles after each look up to the configured maximum. */
  pauseMs: number;
  /** Task queue of the looks (the rate-limited OpenAI one). Default: this workflow's. */
  taskQueue?: string;
}

/** Looks per execution before continuing as new, so a two-week wait keeps a short history. */
const LOOKS_PER_EXECUTION = 200;

/**
 * Waits for a person to accept their invite (`<run>/<step>/acceptance`), for the run's
 * `openai.awaitAcceptance` step: one short look, then a durable timer, the pause doubling
 * from a minute up to OPENAI_ACCEPTANCE_POLL_MS. It shows what it waits for and when it looks
 * next, has no failing attempts to show, and continues as new every
 * {@link LOOKS_PER_EXECUTION} looks. Ends with the action's result once the person is a member;
 * fails with the action's refusal (OPENAI_ACCEPTANCE_TIMEOUT, …) otherwise.
 */
export async function awaitAcceptance(input: AwaitAcceptanceWorkflowInput): Promise<ActionResult> {
  const looker = proxyActivities<Activities>({
    ...(input.taskQueue !== undefined ? { taskQueue: input.taskQueue } : {}),
    startToCloseTimeout: '1m',
    // OpenAI being down delays a look; it never ends the wait (the deadline does).
    retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '5m' },
    summary: `look for ${input.look.email}'s acceptance`,
  });
  let { pauseMs, invite } = input;
  for (let looks = 0; looks < LOOKS_PER_EXECUTION; looks++) {
    const next = Math.min(Date.now() + pauseMs, input.look.deadlineMs);
    setCurrentDetails(
      `Waiting for ${input.look.email} to accept the invite \`${invite.inviteId}\` sent ${invite.sentAt ?? '(time unknown)'}; ` +
        `next look at ${new Date(next).toISOString()}; gives up at ${new Date(input.look.deadlineMs).toISOString()}.`,
    );
    await sleep(Math.max(1, next - Date.now()));
    let look;
    try {
      look = await looker.openaiLookForAcceptance(input.look);
    } catch (error) {
      // The run reads the action's own failure (its type and message), not an activity wrapper.
      if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure) throw error.cause;
      throw error;
    }
    if (look.done) return look.done;
    invite = look.waiting;
    pauseMs = Math.min(pauseMs * 2, Math.max(look.maxPauseMs, 1));
  }
  return continueAsNew<typeof awaitAcceptance>({ ...input, invite, pauseMs });
}

/** The workflow id of a run step's acceptance wait. */
export const acceptanceWorkflowId = (runWorkflowId: string, stepId: string) => `${runWorkflowId}/${stepId}/acceptance`;

/** How long until the first look after the run's own, ms: a minute, or less when the configured maximum is shorter. */
export const firstPauseMs = (maxPauseMs: number) => Math.max(1, Math.min(60_000, maxPauseMs));
