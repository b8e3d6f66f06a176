/**
 * The sync's reading and classification at scale: 10,000 people in the HiBob emulator
 * against an OpenAI organization of 10,000 members (emulator), classified by a separate
 * process exactly as the sync activity does it — the HiBob connector and the Admin API
 * client over HTTP, every page — and that process's time and peak memory printed.
 *
 *   npm run bench:sync                    # 10,000 against 10,000
 *   npm run bench:sync -- --n 2000        # smaller
 *
 * The emulators are fed directly through their state objects (HrDirectory.put, the
 * Organization's users map), in this process; the measured process reads them over HTTP.
 * The mix: 1% of HR people left but are still members (missed-departure), 1% are not in
 * OpenAI (missed-hire), 1% of members match nobody in HR (unmanaged), the rest match by
 * email (in sync; a first sync would adopt them). The identity map is empty, as before a
 * first sync. Targets: under 30 s and 300 MB.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AdminClient } from '../activities/index.ts';
import { loadConfig } from '../config/index.ts';
import { loadDefinitionFile } from '../dsl/index.ts';
import { HrDirectory, Organization, startEmulator } from '../emulator/index.ts';
import { createConnectors } from '../hris/index.ts';
import { readAndClassify } from '../sync/index.ts';

const { values } = parseArgs({ options: { n: { type: 'string', default: '10000' }, child: { type: 'boolean', default: false } } });
const n = Number(values.n);
if (!Number.isInteger(n) || n < 100) throw new Error('--n must be a whole number of at least 100');

interface ChildResult {
  ms: number;
  readMs: number;
  /** Resident memory once loaded, before reading anything. */
  rssBeforeMiB: number;
  peakRssMiB: number;
  counts: Record<string, number>;
  hr: Record<string, number>;
  openai: { members: number; invites: number };
}

async function child(): Promise<void> {
  const config = loadConfig(process.env);
  const connectors = createConnectors(config);
  const openai = new AdminClient({ baseUrl: config.openai.baseUrl, adminKey: config.openai.adminKey!, timeoutMs: 60_000 });
  const plans = ['definitions/onboard-openai.yaml', 'definitions/offboard-openai.yaml'].map((f) => loadDefinitionFile(f).plan!);
  const rssBeforeMiB = process.memoryUsage().rss / 1024 / 1024;
  const started = performance.now();
  let readMs = 0;
  const reading = await readAndClassify(
    {
      connectors,
      openai,
      identities: async function* () {},
    },
    { plans, now: new Date(), maxShrink: 25, progress: (what) => (what === 'classifying' ? (readMs = performance.now() - started) : undefined) },
  );
  const ms = performance.now() - started;
  const result: ChildResult = { ms, readMs, rssBeforeMiB, peakRssMiB: process.resourceUsage().maxRSS / 1024, counts: reading.counts, hr: reading.hr, openai: reading.openai };
  process.stdout.write(JSON.stringify(result));
  await openai.close();
  for (const c of connectors) await c.close();
}

async function main(): Promise<void> {
  const organization = new Organization();
  const hris = new HrDirectory();
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  const seeded = performance.now();
  const pct = Math.max(1, Math.round(n / 100));
  for (let i = 0; i < n; i++) {
    const id = String(4_000_000_000 + i);
    const email = `person${i}@bench.example`;
    const left = i < pct;
    hris.put('hibob', id, {
      email,
      firstName: 'Bench',
      surname: `Person ${i}`,
      work: { startDate: day(-400) },
      internal: left ? { lifecycleStatus: 'terminated', status: 'Inactive', terminationDate: day(-5) } : { lifecycleStatus: 'employed', status: 'Active', terminationDate: null },
    });
    // Everyone is a member except the missed hires; the missing places go to unmanaged members.
    const missedHire = i >= pct && i < 2 * pct;
    // Straight into the state (addUser checks every member for a duplicate email: quadratic here).
    const userId = `user-bench${String(i).padStart(8, '0')}`;
    organization.users.set(userId, { object: 'organization.user', id: userId, name: `Bench Person ${i}`, email: missedHire ? `stranger${i}@elsewhere.example` : email, role: 'reader', added_at: 1_700_000_000 + i, is_scim_managed: false });
  }
  const seedMs = performance.now() - seeded;
  const emulator = await startEmulator({ port: 0, organization, hris });
  const home = mkdtempSync(join(tmpdir(), 'tenure-bench-sync-'));
  try {
    const env = {
      ...process.env,
      TENURE_HOME: home,
      TENURE_LOG_LEVEL: 'silent',
      OPENAI_ADMIN_KEY: emulator.adminKey,
      OPENAI_BASE_URL: emulator.baseUrl,
      HIBOB_SERVICE_USER_ID: emulator.hrisCredentials.hibob.serviceUserId,
      HIBOB_SERVICE_USER_TOKEN: emulator.hrisCredentials.hibob.token,
      HIBOB_API_BASE_URL: emulator.hrisUrls.hibob,
    };
    const proc = spawn(process.execPath, [new URL(import.meta.url).pathname, '--child', '--n', String(n)], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => proc.on('exit', resolve));
    if (code !== 0) throw new Error(`the classifying process exited with ${code}`);
    const r = JSON.parse(out) as ChildResult;
    const ok = (good: boolean) => (good ? 'ok' : 'OVER TARGET');
    console.log(`bench:sync — ${n} HR people (HiBob emulator) against ${r.openai.members} OpenAI members (emulator), read over HTTP, every page`);
    console.log(`  seeded the emulators through their state objects in ${(seedMs / 1000).toFixed(1)} s (not counted)`);
    console.log(`  read HR + OpenAI + identity map  ${(r.readMs / 1000).toFixed(2)} s`);
    console.log(`  classify                          ${((r.ms - r.readMs) / 1000).toFixed(2)} s`);
    console.log(`  total                             ${(r.ms / 1000).toFixed(2)} s   (target < 30 s: ${ok(r.ms < 30_000)})`);
    console.log(`  peak memory (maxRSS) of the classifying process  ${r.peakRssMiB.toFixed(0)} MiB   (target < 300 MB: ${ok(r.peakRssMiB * 1.048576 < 300)}; ${r.rssBeforeMiB.toFixed(0)} MiB of it once loaded, before reading)`);
    console.log(`  found: ${Object.entries(r.counts).map(([k, v]) => `${v} ${k}`).join(', ')}`);
  } finally {
    await emulator.close();
    rmSync(home, { recursive: true, force: true });
  }
}

if (values.child) await child();
else await main();
