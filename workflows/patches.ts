import { patched } from '@temporalio/workflow';

/**
 * The patch of the change that made a hire cost fewer Temporal round trips: store writes as
 * local activities first (workflows/local-first.ts), no timer while the entity starts a run,
 * a run's end learnt from its result by the entity that started it, the lease kept through a
 * pause until another run asks for it. One id for all of them, called where each applies, so
 * a workflow records one marker, not one per change; histories from before replay as recorded.
 */
export const FEWER_ROUND_TRIPS = 'fewer-round-trips';

/**
 * The patch that stands for every change in {@link ASKED_FIRST_COVERS}, in workflows started since.
 *
 * `patched()` answers by the workflow task it is called in: on replay it is true only once the
 * task holding its marker is replayed. A local activity's result can reach a workflow one task
 * after the task that recorded the activity's marker (the SDK's core answered that task while
 * the result was arriving, and asked for another at once), and a replay then delivers the result
 * a task early. A `patched()` asked after it, as a run's next step does, answers false there, and
 * the replay fails: "patch marker encountered … but there is no corresponding change command".
 *
 * So workflows ask this one patch in their first activation (`askPatchesFirst()`, first thing),
 * before any local activity, and in a workflow that has it every change it covers is simply on:
 * `isPatched()` asks nothing more, and the history holds one marker (and one search-attribute
 * upsert) instead of one per change. Workflows started before it ask each change where it applies,
 * as they did, and replay as recorded.
 *
 * A change made from now on is not covered: `isPatched()` asks it where it applies, like
 * `patched()` (a workflow started before that change must replay without it). If it can be asked
 * after a local activity, give it a new first-asked patch instead, asked in the first activation
 * beside this one, covering it.
 */
export const PATCHES_ASKED_FIRST = 'patches-asked-first';

/**
 * The changes runs and entities made before {@link PATCHES_ASKED_FIRST}: on, without a marker of
 * their own, in a workflow that asked it. Never add to this list. (Scheduled runs ask nothing first:
 * they run no local activity, so their one change is asked where it applies.)
 */
const ASKED_FIRST_COVERS: ReadonlySet<string> = new Set([
  FEWER_ROUND_TRIPS,
  'decisions-as-updates',
  'acceptance-shown-as-waiting',
  'superseded-run-releases-lease',
  'supersede-before-first-task',
  'superseded-run-awaits-cancel',
  'same-instant-departure-wins',
  'superseded-runs-cancelled',
  'entity-checks-unwatched-runs',
]);

/** Whether this workflow asked the first-asked patch in its first activation (unset: it never asked). */
let askedFirst: boolean | undefined;

/** Call first thing in a workflow's function: before any await, handler or other patch. */
export function askPatchesFirst(): void {
  askedFirst = patched(PATCHES_ASKED_FIRST);
}

/** Whether the change `id` applies to this workflow: a covered change always, in one that asked {@link PATCHES_ASKED_FIRST}; else as `patched(id)` answers. */
export function isPatched(id: string): boolean {
  return (askedFirst === true && ASKED_FIRST_COVERS.has(id)) || patched(id);
}
