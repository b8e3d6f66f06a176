/**
 * HR connectors, read only: one person or everyone (future hires and leavers included)
 * from BambooHR, HiBob or Merge's unified HRIS API, mapped into `HrEvent` employee terms
 * through the sources' field mappings. Enrichment of thin webhooks and sync read HR
 * through these. This file is the folder's only entry point.
 *
 *   const connectors = createConnectors(config, { logger });
 *   const bob = connectors.find((c) => c.vendor === 'hibob');
 *   const person = await bob?.getPerson('3332883884017713238');   // undefined: HR has no such person
 *   for await (const page of bob!.listPeople()) count += page.length;
 */
import type { TenureConfig, SourceKind } from '../config/index.ts';
import type { Logger } from '../logging/index.ts';
import { bamboohrConnector, type ConnectorOptions } from './bamboohr.ts';
import { hibobConnector } from './hibob.ts';
import { mergeConnector } from './merge.ts';
import type { Fields } from './person.ts';
import type { HrConnector } from './types.ts';

export type { HrVendor, HrPerson, HrApiFailureType, HrConnector } from './types.ts';
export { HrApiError } from './errors.ts';
export { bamboohrConnector, BAMBOOHR_PAGE_SIZE, type ConnectorOptions } from './bamboohr.ts';
export { hibobConnector, HIBOB_FIELDS, flattenHiBob } from './hibob.ts';
export { mergeConnector, MERGE_FIELDS, MERGE_PAGE_SIZE, flattenMerge } from './merge.ts';

/** A connector that holds a connection pool: close it when done. */
export type ClosableConnector = HrConnector & { close(): Promise<void> };

/** The field mapping of the vendor's source: the one named after it, else the first of its kind. */
function fieldsOf(config: Pick<TenureConfig, 'sources'>, kind: SourceKind): Fields {
  return (config.sources.find((s) => s.name === kind) ?? config.sources.find((s) => s.kind === kind))?.fields ?? {};
}

/**
 * The configured connectors (`config.hris`): each vendor whose credentials are set, and in
 * sandbox mode every vendor, at the HR emulator. Merge has no webhook source; its mapping
 * is `hris.merge.fields` of tenure.config.yaml over Merge's common model (MERGE_FIELDS).
 */
export function createConnectors(
  config: Pick<TenureConfig, 'hris' | 'sources'>,
  options: { logger?: Logger; overrides?: Partial<Omit<ConnectorOptions, 'fields' | 'timeoutMs'>> } = {},
): ClosableConnector[] {
  const { hris } = config;
  const common = { timeoutMs: hris.timeoutMs, ...options.overrides };
  const connectors: ClosableConnector[] = [];
  if (hris.bamboohr) connectors.push(bamboohrConnector(hris.bamboohr, { ...common, fields: fieldsOf(config, 'bamboohr') }));
  if (hris.hibob) connectors.push(hibobConnector(hris.hibob, { ...common, fields: fieldsOf(config, 'hibob') }));
  if (hris.merge) connectors.push(mergeConnector(hris.merge, { ...common, fields: hris.merge.fields }));
  const emulated = [hris.bamboohr, hris.hibob, hris.merge].filter((c) => c?.emulated).length;
  if (connectors.length > 0) {
    options.logger?.info({ hris: connectors.map((c) => c.vendor), emulated: emulated > 0 }, emulated > 0 ? 'HR connectors read the local HR emulator' : 'HR connectors configured');
  }
  return connectors;
}
