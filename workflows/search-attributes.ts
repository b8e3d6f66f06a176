import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Run statuses shown in the Temporal UI and `tenure runs`. */
export type RunStatus = 'waiting' | 'running' | 'needs-attention' | 'done' | 'failed' | 'superseded';

/**
 * Tenure's custom search attributes. `tenure dev` registers them on the embedded server;
 * on a cluster, register them once with `temporal operator search-attribute create`.
 */
export const SEARCH_ATTRIBUTES = {
  employeeId: defineSearchAttributeKey('TenureEmployeeId', SearchAttributeType.KEYWORD),
  source: defineSearchAttributeKey('TenureSource', SearchAttributeType.KEYWORD),
  eventType: defineSearchAttributeKey('TenureEventType', SearchAttributeType.KEYWORD),
  definition: defineSearchAttributeKey('TenureDefinition', SearchAttributeType.KEYWORD),
  definitionHash: defineSearchAttributeKey('TenureDefinitionHash', SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey('TenureStatus', SearchAttributeType.KEYWORD),
} as const;
