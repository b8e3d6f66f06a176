/**
 * The Tenure worker process: registers every workflow and activity on the task queue.
 * Stateless; run as many as you like against one Temporal and one results store.
 *
 *   const running = await startWorker(config, { logger });
 *   process.on('SIGTERM', () => running.shutdown());
 */
export { startWorker, bundleWorkflows, quietTemporalRuntime, WORKFLOWS_PATH, type RunningWorker } from './worker.ts';
