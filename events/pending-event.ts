import { z } from 'zod';
import { employeeSchema, EVENT_TYPES, hrEventSchema, type HrEvent } from './hr-event.ts';

/**
 * What a thin delivery leaves for an enricher to fill in. Plain JSON: it travels in the
 * event through Temporal, so it never holds a credential — only what to fetch.
 */
export const enrichmentRequestSchema = z.strictObject({
  /** The adapter kind whose API holds the full record: `bamboohr`, `hibob`, … */
  vendor: z.string().min(1).max(64),
  /** The vendor's tenant when the payload names it (HiBob `companyId`, BambooHR `companyId`). */
  tenant: z.string().max(200).optional(),
  /** Employee fields the delivery did not carry. */
  missing: z.array(z.string().max(64)).max(32),
  /** The vendor's own field ids the delivery says changed: a hint for a partial fetch. */
  changedFields: z.array(z.string().max(200)).max(500).optional(),
  /**
   * When the delivery cannot tell which lifecycle event it is (a BambooHR update may be a
   * termination), the types the full record may turn out to be; `type` is the first.
   */
  possibleTypes: z.array(z.enum(EVENT_TYPES)).min(2).max(EVENT_TYPES.length).optional(),
});
export type EnrichmentRequest = z.infer<typeof enrichmentRequestSchema>;

/**
 * An event from a thin webhook (ids only, or without the fields a run needs). It carries
 * everything the delivery said and an {@link EnrichmentRequest}; the run enriches it from
 * the vendor's API in an activity before it evaluates the definition's condition.
 */
export const pendingEventSchema = hrEventSchema.extend({
  employee: employeeSchema.partial().required({ id: true }),
  enrichment: enrichmentRequestSchema,
});
export type PendingEvent = z.infer<typeof pendingEventSchema>;

/** What a source hands to Temporal: a complete event, or one still to be enriched. */
export type DeliveredEvent = HrEvent | PendingEvent;

export function needsEnrichment(event: DeliveredEvent): event is PendingEvent {
  return 'enrichment' in event && event.enrichment !== undefined;
}

/** The employee fields a run relies on; a delivery without one of these is thin. */
export const REQUIRED_EMPLOYEE_FIELDS = ['email'] as const;
