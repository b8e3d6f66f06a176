/**
 * The normalized HR lifecycle event (`HrEvent`) and its schema. Sources parse into it;
 * definitions and workflows read it. A thin vendor delivery becomes a `PendingEvent`:
 * what the delivery said plus an enrichment request, completed in an activity.
 *
 *   const result = hrEventSchema.safeParse(JSON.parse(body));
 *   if (result.success) start(result.data);
 *   if (needsEnrichment(delivered)) delivered.enrichment.vendor;   // 'hibob'
 */
export { utf8Length, boundedText } from './text.ts';
export { hrEventSchema, employeeSchema, ID_LIMITS, EVENT_TYPES, EMPLOYMENT_TYPES, type HrEvent, type Employee, type EventType } from './hr-event.ts';
export {
  enrichmentRequestSchema,
  pendingEventSchema,
  needsEnrichment,
  REQUIRED_EMPLOYEE_FIELDS,
  type EnrichmentRequest,
  type PendingEvent,
  type DeliveredEvent,
} from './pending-event.ts';
