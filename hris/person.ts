import type { FieldMapping, MappableField } from '../config/index.ts';
import { mapRecord, type DefaultMappings } from '../triggers/index.ts';
import type { HrPerson, HrVendor } from './types.ts';

export type Fields = Partial<Record<MappableField, FieldMapping>>;

/** Today as YYYY-MM-DD (UTC), for "has this date passed". */
export function today(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

/** A vendor date (`2026-10-01`, `2026-10-01T00:00:00Z`, BambooHR's `0000-00-00`) as YYYY-MM-DD, or null. */
export function localDate(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const match = /^(\d{4}-\d{2}-\d{2})/.exec(value.trim());
  if (!match || match[1] === '0000-00-00') return null;
  return match[1]!;
}

/** The names of the vendor fields a mapping reads: the configured field where there is one, else the defaults. */
export function fieldNames(defaults: DefaultMappings, configured: Fields): string[] {
  const names = new Set<string>();
  for (const [target, mapping] of Object.entries(defaults)) if (!configured[target as MappableField]) for (const name of mapping.fields) names.add(name);
  for (const mapping of Object.values(configured)) if (mapping) names.add(mapping.field);
  return [...names];
}

/**
 * A flat vendor record (field name → value) as an {@link HrPerson}: employee fields through
 * the source's mapping over the vendor's defaults (tenure.config.yaml `fields:`), plus the
 * employment and dates the connector read from the record itself.
 */
export function toPerson(
  vendor: HrVendor,
  id: string,
  record: Readonly<Record<string, unknown>>,
  mapping: { configured: Fields; defaults: DefaultMappings },
  state: Pick<HrPerson, 'employment' | 'terminationDate' | 'updatedAt'>,
): HrPerson {
  const mapped = mapRecord(record, vendor, mapping.configured, mapping.defaults);
  return { vendor, id, employee: { ...(mapped.employee as Partial<HrPerson['employee']>), id }, ...state };
}
