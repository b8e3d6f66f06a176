import { HrApiError, type HrConnector, type HrPerson, type HrVendor } from '../../hris/index.ts';

/**
 * An HR directory held in memory, behind the connector interface: for unit tests of the
 * sync's reading and guards (the integration tests read the HR emulators over HTTP).
 */
export class MemoryHrConnector implements HrConnector {
  readonly vendor: HrVendor;
  readonly source: string;
  readonly people = new Map<string, HrPerson>();
  /** When set, listing fails with it after the first page. */
  failure: HrApiError | undefined;
  pages = 0;

  readonly pageSize: number;

  constructor(vendor: HrVendor = 'hibob', source: string = vendor, pageSize = 50) {
    this.vendor = vendor;
    this.source = source;
    this.pageSize = pageSize;
  }

  put(id: string, fields: Partial<Omit<HrPerson, 'employee'>> & { employee?: Partial<HrPerson['employee']> } = {}): HrPerson {
    const { employee, ...rest } = fields;
    const person: HrPerson = { vendor: this.vendor, id, employment: 'active', employee: { id, email: `${id.toLowerCase()}@example.com`, ...employee }, ...rest };
    this.people.set(id, person);
    return person;
  }

  async getPerson(id: string): Promise<HrPerson | undefined> {
    return this.people.get(id);
  }

  async *listPeople(): AsyncIterable<HrPerson[]> {
    const all = [...this.people.values()];
    for (let i = 0; i < all.length || i === 0; i += this.pageSize) {
      if (this.failure && i > 0) throw this.failure;
      this.pages++;
      yield all.slice(i, i + this.pageSize);
      if (all.length === 0) return;
    }
    if (this.failure) throw this.failure;
  }
}

export { HrApiError };
