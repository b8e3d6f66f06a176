// A separate process that writes audit records, for tests of concurrent writers across
// processes (what several workers sharing one store do). Opens the store named by
// TENURE_DATABASE_URL, prints `ready`, waits for a line on stdin, then records every
// entry of the JSON array in argv[2] at once and prints the results as JSON.
import { createInterface } from 'node:readline';
import { loadConfig } from '../../config/index.ts';
import { Store, type AuditRecord } from '../../store/index.ts';

const entries = JSON.parse(process.argv[2] ?? '[]') as AuditRecord[];
const store = await Store.open(loadConfig(process.env).store);
console.log('ready');
const lines = createInterface({ input: process.stdin });
await new Promise((resolve) => lines.once('line', resolve));
lines.close();
const written = await Promise.all(entries.map((e) => store.record(e).then(
  (ok) => ({ key: e.recordKey, written: ok }),
  (error: Error) => ({ key: e.recordKey, error: error.message }),
)));
await store.close();
console.log(JSON.stringify(written));
