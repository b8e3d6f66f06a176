/**
 * The Tenure worker process: registers every workflow and activity on the task queue.
 * Stateless; run as many as you like against one Temporal and one results store.
 *
 *   const running = await startWorker(config, { logger });
 *   process.on('SIGTERM', () => running.shutdown());
 */
export { startWorker, bundleWorkflows, quietTemporalRuntime, type RunningWorker } from './worker.ts';
export { prebuiltWorkflowBundle, bundleWorkflowsNow, workflowSourceHash, importSpecifiers, WORKFLOWS_PATH, BUNDLE_DIR, type PrebuiltBundle } from './bundle.ts';
