/**
 * The HR connector interface: one person read from an HR system of record, or everyone,
 * mapped into `HrEvent` employee terms. Implemented per vendor in this folder; used by
 * enrichment (thin webhooks) and by sync (drift against OpenAI).
 *
 *   const person = await connector.getPerson('1234');          // undefined when HR has none
 *   for await (const page of connector.listPeople()) count += page.length;
 */
import type { Employee } from '../events/index.ts';

export type HrVendor = 'bamboohr' | 'hibob' | 'merge';

/** One person as the HR system of record has them now, mapped into HrEvent terms. */
export interface HrPerson {
  vendor: HrVendor;
  /** The vendor's employee id; the `employee.id` that this vendor's webhooks carry. */
  id: string;
  /** Mapped through the existing field-mapping configuration; `email` may be absent if HR has none. */
  employee: Partial<Employee> & { id: string };
  /** Employment as HR states it: `terminated` only on an explicit status or termination date, never inferred. */
  employment: 'active' | 'pending' | 'terminated' | 'unknown';
  /** The termination date HR states (YYYY-MM-DD), if any. */
  terminationDate?: string | null;
  /** When HR last changed this record, if the vendor says (ISO 8601). */
  updatedAt?: string | null;
}

export type HrApiFailureType = 'HR_API_UNAVAILABLE' | 'HR_API_UNAUTHORIZED' | 'HR_API_INVALID';

export interface HrConnector {
  readonly vendor: HrVendor;
  /** The event source name this vendor's people belong to (`bamboohr`, `hibob`, `merge`): entity ids are `employee/<source>/<id>`. */
  readonly source: string;
  /** One person, or undefined when HR has no such person (404). */
  getPerson(id: string, options?: { signal?: AbortSignal }): Promise<HrPerson | undefined>;
  /** Everyone, including future hires and people who left, one vendor page at a time. */
  listPeople(options?: { signal?: AbortSignal }): AsyncIterable<HrPerson[]>;
}
