/**
 * The heavy modules of a run, loaded only when a run executes a step: the expression engine
 * (CEL with RE2) and the action declarations (with their zod input schemas).
 *
 * Each workflow in a worker's shared V8 context evaluates every module it imports for itself
 * (the SDK keeps one module cache per workflow, so no state leaks between them). Imported
 * statically, these would be built again for every entity, acceptance check, sync and
 * replay: about 1.2 MB of heap and several milliseconds each (`bench/workflow-modules.ts`).
 * Loaded here, with webpack's eager dynamic import (no separate chunk), only runs pay, once.
 *
 *   await loadRunEngine();                     // at a step, before anything below
 *   runEngine().renderTemplate(text, context);
 */
import type * as EngineModules from './engine-modules.ts';

type RunEngine = typeof EngineModules;

let loaded: RunEngine | undefined;

/** Loads the run's heavy modules (once per workflow; later calls return at once). */
export async function loadRunEngine(): Promise<RunEngine> {
  loaded ??= await import(/* webpackMode: "eager" */ './engine-modules.ts');
  return loaded;
}

/** Whether this workflow has loaded them (a step then needs no await, so no extra turn before it acts). */
export function runEngineLoaded(): boolean {
  return loaded !== undefined;
}

/** The loaded modules; `loadRunEngine()` must have been awaited first. */
export function runEngine(): RunEngine {
  if (!loaded) throw new Error('runEngine() before loadRunEngine(): await loadRunEngine() first');
  return loaded;
}
