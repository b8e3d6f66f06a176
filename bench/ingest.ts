/**
 * Trigger server ingest beside its floor, in the same run on the same Temporal server: N
 * signed hire webhooks posted to the trigger server (signature check, parsing, matching,
 * then signal-with-start of the person's entity workflow), and N raw `signalWithStart`
 * calls carrying the same input, made by this process's client. Rounds run in ABBA order
 * (raw, trigger, trigger, raw, …) so that a change in the machine's load, and the server
 * slowing as open workflows pile up, hits both peers alike; the figure is the ratio of their
 * mean rates. No worker runs: only accepting is measured.
 *
 *   npm run bench:ingest               # N = 500 per round, 16 in flight, 2 rounds
 *   npm run bench:ingest -- --n 1000 --concurrency 32
 *   npm run bench:ingest -- --store postgres     # the results store in the local PostgreSQL
 */
import { parseArgs } from 'node:util';
import { matchPlans } from '../dsl/index.ts';
import type { HrEvent } from '../events/index.ts';
import { SEARCH_ATTRIBUTES } from '../workflows/shared.ts';
import { employeeWorkflowId } from '../workflows/shared.ts';
import { cpuSeconds, hire, loadAverage, printRows, shippedPlans, startStack } from './lib.ts';

const { values } = parseArgs({ options: { n: { type: 'string', default: '500' }, concurrency: { type: 'string', default: '16' }, rounds: { type: 'string', default: '2' }, store: { type: 'string', default: 'sqlite' } } });
if (values.store !== 'sqlite' && values.store !== 'postgres') throw new Error(`--store must be sqlite or postgres, not '${values.store}'`);
const STORE = values.store;
const N = Number(values.n);
const C = Number(values.concurrency);
const ROUNDS = Number(values.rounds);

console.log(`ingest benchmark: ${ROUNDS} rounds of ${N} hires per peer, ${C} in flight, results store on ${STORE}; load average ${loadAverage()}`);
// The worker is stopped at once: only accepting events is measured.
const stack = await startStack({ ratePerSecond: 2, senders: C, store: STORE });
stack.worker.kill('SIGTERM');
await new Promise((resolve) => stack.worker.once('exit', resolve));
const plans = shippedPlans();

/** This process's CPU time (ms, user + system) per event of each peer's rounds. */
const cpuPerEvent: Record<'raw' | 'trigger', number[]> = { raw: [], trigger: [] };

async function inFlight(events: HrEvent[], one: (event: HrEvent) => Promise<void>, peer?: 'raw' | 'trigger'): Promise<number> {
  let next = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: C }, async () => {
      while (next < events.length) await one(events[next++] as HrEvent);
    }),
  );
  const { user, system } = process.cpuUsage(cpu);
  if (peer) cpuPerEvent[peer].push((user + system) / 1000 / events.length);
  return events.length / ((performance.now() - started) / 1000);
}

const trigger = (events: HrEvent[], measured = true) =>
  inFlight(events, async (event) => {
    const status = await stack.send(event);
    if (status !== 202) throw new Error(`the trigger server answered ${status}`);
  }, measured ? 'trigger' : undefined);

const raw = (events: HrEvent[], measured = true) =>
  inFlight(events, async (event) => {
    const { matched } = matchPlans(plans, event);
    await stack.client.workflow.signalWithStart('employeeWorkflow', {
      workflowId: employeeWorkflowId(event.source, event.employee.id),
      taskQueue: stack.taskQueue,
      args: [{ source: event.source, employeeId: event.employee.id }],
      signal: 'hrEvent',
      signalArgs: [{ event, plans: matched }],
      staticSummary: `Events for employee ${event.employee.id} (${event.source})`,
      typedSearchAttributes: [
        { key: SEARCH_ATTRIBUTES.employeeId, value: event.employee.id },
        { key: SEARCH_ATTRIBUTES.source, value: event.source },
      ],
    });
  }, measured ? 'raw' : undefined);

try {
  const run = Date.now().toString(36);
  const batch = (peer: string, round: number) => Array.from({ length: N }, (_, i) => hire(`${run}${peer}${round}`, i));
  // Warm both paths (connections, JIT) before measuring.
  await raw(batch('wr', 0).slice(0, 50), false);
  await trigger(batch('wt', 0).slice(0, 50), false);
  const rawRates: number[] = [];
  const triggerRates: number[] = [];
  const serverPid = stack.server.process.pid as number;
  const cpuBefore = cpuSeconds(serverPid);
  const wallBefore = performance.now();
  // ABBA order (raw, trigger, trigger, raw, …): the server slows as open workflows pile up
  // (no worker runs), so neither peer may always go first.
  for (let round = 1; round <= ROUNDS; round++) {
    if (round % 2 === 1) {
      rawRates.push(await raw(batch('r', round)));
      triggerRates.push(await trigger(batch('t', round)));
    } else {
      triggerRates.push(await trigger(batch('t', round)));
      rawRates.push(await raw(batch('r', round)));
    }
  }
  const temporalShare = (cpuSeconds(serverPid) - cpuBefore) / ((performance.now() - wallBefore) / 1000);
  const mean = (rates: number[]) => rates.reduce((sum, r) => sum + r, 0) / rates.length;
  const meanRaw = mean(rawRates);
  const meanTrigger = mean(triggerRates);
  const ratio = meanTrigger / meanRaw;
  printRows('results', [
    { figure: 'raw signalWithStart (this client, same server)', measured: `${meanRaw.toFixed(0)} events/s on average (rounds: ${rawRates.map((r) => r.toFixed(0)).join(', ')})`, target: '', met: null },
    { figure: 'trigger server ingest (signed webhooks, 202)', measured: `${meanTrigger.toFixed(0)} events/s on average (rounds: ${triggerRates.map((r) => r.toFixed(0)).join(', ')})`, target: '', met: null },
    { figure: 'trigger server ingest / raw signalWithStart', measured: ratio.toFixed(2), target: '≥ 0.9', met: ratio >= 0.9 },
    { figure: 'Temporal dev server CPU while ingesting', measured: `${(temporalShare * 100).toFixed(0)}% of one core`, target: '', met: null },
    // What bounds the ratio on a small machine: this process's CPU per event (the trigger peer's includes the HTTP sender's).
    { figure: 'this process CPU per event, raw', measured: `${Math.min(...cpuPerEvent.raw).toFixed(2)} ms`, target: '', met: null },
    { figure: 'this process CPU per event, trigger (sender + server)', measured: `${Math.min(...cpuPerEvent.trigger).toFixed(2)} ms`, target: '', met: null },
  ]);
} finally {
  await stack.stop();
}
