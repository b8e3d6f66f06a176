/**
 * The HR emulators' state: per vendor, each person's record in that vendor's own JSON
 * (BambooHR's flat field aliases, Bob's nested employee object, Merge's Employee common
 * model), keyed by the vendor's employee id. Pure state; routes.ts speaks the APIs.
 */

export const HR_VENDORS = ['bamboohr', 'hibob', 'merge'] as const;
export type HrEmulatorVendor = (typeof HR_VENDORS)[number];

export type VendorRecord = Record<string, unknown>;
export type HrDirectoryState = Record<HrEmulatorVendor, VendorRecord[]>;

/** Ids sort numerically when they are numbers (BambooHR, Bob), else as text (Merge's uuids). */
function byId(a: string, b: string): number {
  return /^\d+$/.test(a) && /^\d+$/.test(b) ? (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0) : a.localeCompare(b);
}

export class HrDirectory {
  private readonly people = new Map<HrEmulatorVendor, Map<string, VendorRecord>>(HR_VENDORS.map((v) => [v, new Map()]));
  /** Each vendor's records in id order, kept until the next change: listings page through it. */
  private readonly ordered = new Map<HrEmulatorVendor, VendorRecord[]>();

  private inOrder(vendor: HrEmulatorVendor): VendorRecord[] {
    let records = this.ordered.get(vendor);
    if (!records) {
      records = [...this.people.get(vendor)!.entries()].sort(([a], [b]) => byId(a, b)).map(([, record]) => record);
      this.ordered.set(vendor, records);
    }
    return records;
  }

  /** Creates or replaces a person; the record's `id` is set to `id`. */
  put(vendor: HrEmulatorVendor, id: string, record: VendorRecord): VendorRecord {
    const stored = { ...structuredClone(record), id };
    this.people.get(vendor)!.set(id, stored);
    this.ordered.delete(vendor);
    return structuredClone(stored);
  }

  get(vendor: HrEmulatorVendor, id: string): VendorRecord | undefined {
    const found = this.people.get(vendor)!.get(id);
    return found === undefined ? undefined : structuredClone(found);
  }

  delete(vendor: HrEmulatorVendor, id: string): boolean {
    this.ordered.delete(vendor);
    return this.people.get(vendor)!.delete(id);
  }

  /** Everyone of a vendor, in id order (the order the vendor's listings page through). */
  list(vendor: HrEmulatorVendor): VendorRecord[] {
    return this.inOrder(vendor).map((record) => structuredClone(record));
  }

  /** How many people a vendor has, optionally only those `where` accepts. */
  count(vendor: HrEmulatorVendor, where?: (record: Readonly<VendorRecord>) => boolean): number {
    return where ? this.inOrder(vendor).filter(where).length : this.inOrder(vendor).length;
  }

  /** Records `start` to `end` (exclusive) in id order, of those `where` accepts; copies. */
  slice(vendor: HrEmulatorVendor, start: number, end: number, where?: (record: Readonly<VendorRecord>) => boolean): VendorRecord[] {
    const records = where ? this.inOrder(vendor).filter(where) : this.inOrder(vendor);
    return records.slice(start, end).map((record) => structuredClone(record));
  }

  reset(): void {
    for (const map of this.people.values()) map.clear();
    this.ordered.clear();
  }

  snapshot(): HrDirectoryState {
    return { bamboohr: this.list('bamboohr'), hibob: this.list('hibob'), merge: this.list('merge') };
  }

  restore(state: Partial<HrDirectoryState>): void {
    this.reset();
    for (const vendor of HR_VENDORS) for (const record of state[vendor] ?? []) if (typeof record.id === 'string') this.put(vendor, record.id, record);
  }
}

/**
 * The sandbox's small directory: in each vendor an employee who started, a future hire and
 * a leaver, dated relative to `now` so the seed stays meaningful.
 */
export function seedHrDirectory(directory: HrDirectory, now: Date = new Date()): void {
  const day = (offset: number) => new Date(now.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
  const people = [
    { first: 'Ada', last: 'Lovelace', department: 'Engineering', title: 'Engineer', start: day(-400), end: null as string | null },
    { first: 'Grace', last: 'Hopper', department: 'Research', title: 'Scientist', start: day(14), end: null },
    { first: 'Alan', last: 'Turing', department: 'Data Science', title: 'Analyst', start: day(-900), end: day(-10) },
  ];
  people.forEach((p, index) => {
    const email = `${p.first.toLowerCase()}.${p.last.toLowerCase()}@sandbox.example`;
    const future = p.start > day(0);
    directory.put('bamboohr', String(101 + index), {
      firstName: p.first,
      lastName: p.last,
      workEmail: email,
      department: p.department,
      jobTitle: p.title,
      status: p.end || future ? 'Inactive' : 'Active',
      employmentHistoryStatus: p.end ? 'Terminated' : 'Full-Time',
      hireDate: p.start,
      terminationDate: p.end ?? '0000-00-00',
      lastChanged: `${day(-1)}T09:00:00+00:00`,
    });
    directory.put('hibob', String(3332883884017713001n + BigInt(index)), {
      email,
      firstName: p.first,
      surname: p.last,
      displayName: `${p.first} ${p.last}`,
      work: { department: String(209192160 + index), title: String(118446200 + index), startDate: p.start },
      internal: { lifecycleStatus: p.end ? 'terminated' : future ? 'hired' : 'employed', status: p.end || future ? 'Inactive' : 'Active', terminationDate: p.end },
      payroll: { employment: { type: 'Permanent' } },
      humanReadable: { work: { department: p.department, title: p.title }, payroll: { employment: { type: 'Permanent' } } },
    });
    directory.put('merge', `0958cbc6-6040-430a-848e-aafacbadf4a${index}`, {
      remote_id: String(1187 + index),
      first_name: p.first,
      last_name: p.last,
      display_full_name: `${p.first} ${p.last}`,
      work_email: email,
      employment_status: p.end ? 'INACTIVE' : future ? 'PENDING' : 'ACTIVE',
      start_date: `${p.start}T00:00:00Z`,
      hire_date: `${p.start}T00:00:00Z`,
      termination_date: p.end ? `${p.end}T00:00:00Z` : null,
      employments: [{ id: `5c1e2f3a-9b7d-4e21-8c0a-6f4d2b1e9a7${index}`, job_title: p.title, employment_type: 'FULL_TIME', effective_date: `${p.start}T00:00:00Z` }],
      groups: [{ id: `8a6b1e0e-2f1c-4b8e-9d5e-0c9a1d2e3f4${index}`, name: p.department, type: 'DEPARTMENT' }],
      manager: null,
      remote_was_deleted: false,
      modified_at: `${day(-1)}T09:00:00Z`,
    });
  });
}
