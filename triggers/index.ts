/**
 * The trigger server: HR webhooks in, Temporal signals out. Verifies each delivery's
 * signature against the exact bytes, normalizes it to HrEvents, and answers 2xx only
 * once Temporal has accepted the work (503 when it cannot).
 *
 *   const app = buildTriggerServer({ client, taskQueue, sources: [genericSource(secret)], plans: () => plans, logger });
 *   await app.listen({ port: 3000 });
 */
export { buildTriggerServer, type TriggerServerOptions } from './server.ts';
export { dispatch, type Dispatched } from './dispatch.ts';
export { genericSource, signGeneric } from './sources/generic.ts';
export { DeliveryRejected, type Source, type Delivery, type RejectionCode } from './sources/types.ts';
