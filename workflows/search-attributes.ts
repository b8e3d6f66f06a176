import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Run statuses shown in the Temporal UI (`TenureStatus`) and `tenure runs`:
 * `running` (acting, or about to), `waiting` (a wait step or an approval),
 * `needs-attention` (a step failed for good; an operator retries, skips or aborts),
 * `done`, `failed` (aborted by an operator, or cancelled), `superseded` (a newer event made it moot).
 */
export const RUN_STATUSES = ['running', 'waiting', 'needs-attention', 'done', 'failed', 'superseded'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/**
 * Tenure's custom search attributes. `tenure dev` registers them on the embedded server;
 * on a cluster, register them once with `temporal operator search-attribute create`
 * (docs/operations.md).
 */
export const SEARCH_ATTRIBUTES = {
  employeeId: defineSearchAttributeKey('TenureEmployeeId', SearchAttributeType.KEYWORD),
  source: defineSearchAttributeKey('TenureSource', SearchAttributeType.KEYWORD),
  eventType: defineSearchAttributeKey('TenureEventType', SearchAttributeType.KEYWORD),
  definition: defineSearchAttributeKey('TenureDefinition', SearchAttributeType.KEYWORD),
  definitionHash: defineSearchAttributeKey('TenureDefinitionHash', SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey('TenureStatus', SearchAttributeType.KEYWORD),
} as const;
