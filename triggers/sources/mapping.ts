import type { FieldMapping, MappableField } from '../../config/index.ts';
import { EMPLOYMENT_TYPES } from '../../events/index.ts';
import { isTimeZone } from '../../dsl/index.ts';

/** A vendor's defaults: for each field, the names it may arrive under and how its values read. */
export type DefaultMappings = Partial<Record<MappableField, { fields: string[]; values?: Record<string, string> }>>;

export interface MappedRecord {
  /** HrEvent employee fields (manager folded in), plus `status` when the vendor sent one. */
  employee: Record<string, unknown>;
  status: 'active' | 'inactive' | undefined;
  /** `employee.<field>` → where in the body it came from, for error messages. */
  origins: Record<string, string>;
}


function lookup(values: Record<string, string> | undefined, raw: string): string | undefined {
  if (!values) return undefined;
  if (Object.hasOwn(values, raw)) return values[raw];
  const lower = raw.toLowerCase();
  const key = Object.keys(values).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : values[key];
}

/**
 * Reads an employee out of a vendor record (field name → value) with the source's
 * mappings over the vendor's defaults. Empty values and BambooHR's `0000-00-00` read as
 * absent; an employment type or time zone that maps to nothing valid is dropped rather
 * than refusing the person's event.
 */
export function mapRecord(
  record: Readonly<Record<string, unknown>>,
  basePath: string,
  configured: Partial<Record<MappableField, FieldMapping>>,
  defaults: DefaultMappings,
): MappedRecord {
  const employee: Record<string, unknown> = {};
  const origins: Record<string, string> = {};
  let status: MappedRecord['status'];
  const targets = new Set<MappableField>([...(Object.keys(defaults) as MappableField[]), ...(Object.keys(configured) as MappableField[])]);
  for (const target of targets) {
    const mine = configured[target];
    const theirs = defaults[target];
    const names = mine ? [mine.field] : (theirs?.fields ?? []);
    const values = { ...(theirs?.values ?? {}), ...(mine?.values ?? {}) };
    const name = names.find((n) => Object.hasOwn(record, n) && record[n] !== null && record[n] !== undefined && String(record[n]).trim() !== '');
    let value: string | undefined = name === undefined ? undefined : String(record[name]).trim();
    if (value === '0000-00-00') value = undefined;
    if (value !== undefined) value = lookup(values, value) ?? value;
    const usable = (v: string) =>
      target === 'employmentType' ? (EMPLOYMENT_TYPES as readonly string[]).includes(v) : target === 'timezone' ? isTimeZone(v) : true;
    let fromDefault = false;
    if (value === undefined || !usable(value)) {
      value = mine?.default;
      fromDefault = true;
    }
    if (value === undefined || !usable(value)) continue;
    const origin = fromDefault || name === undefined ? `(default of ${target})` : `${basePath}.${name}`;
    if (target === 'status') {
      if (value === 'active' || value === 'inactive') status = value;
      continue;
    }
    if (target === 'managerId' || target === 'managerEmail') {
      const manager = (employee.manager ??= {}) as Record<string, string>;
      manager[target === 'managerId' ? 'id' : 'email'] = value;
      origins[`employee.manager.${target === 'managerId' ? 'id' : 'email'}`] = origin;
      continue;
    }
    employee[target] = value;
    origins[`employee.${target}`] = origin;
  }
  return { employee, status, origins };
}
