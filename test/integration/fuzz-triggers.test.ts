// A hostile burst against the real trigger server on the real Temporal dev server:
// 2,000 requests — bad, stale and future signatures, huge bodies, wrong content types,
// broken JSON, schema violations, prototype-pollution keys, deep nesting, bytes that are
// not UTF-8, unknown sources and methods, ids too long, replays, conditions built to be
// costly (a ReDoS pattern, nested maps over a large list) — in a seeded random order, with
// genuine generic, BambooHR and HiBob deliveries (and their redeliveries) in among them,
// whose values are hostile too (markup, a backtracking bait, control characters). Every
// request must get its class's status; every genuine event must become exactly one run.
// The enrichers stand in for BambooHR's and HiBob's APIs, which cannot run here. A second
// test throws hostile expressions at the definition loader and counts what becomes of them.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'undici';
import type { Enricher } from '../../activities/index.ts';
import { Secret } from '../../config/index.ts';
import { eventContext, evaluateCondition, ExpressionError, loadDefinitionText } from '../../dsl/index.ts';
import { seededRandom } from '../../emulator/index.ts';
import { bamboohrSource, genericSource, hibobSource, signBambooHr, signGeneric, signHiBob } from '../../triggers/index.ts';
import { bundleWorkflows } from '../../workers/index.ts';
import { plan, startHarness, unique, type Harness } from './triggers-harness.ts';
import { itReplaysEveryWorkflow } from '../helpers/replay-all.ts';

const TOTAL = 2_000;
const GENUINE = 150;
const REDELIVERIES = 50;
const CONCURRENCY = 16;
const SEED = 20261129;

const GENERIC_SECRET = new Secret('whsec_ZnV6eiB0ZXN0IHNlY3JldCBmb3IgdGhlIGdlbmVyaWMgc291cmNl');
const BAMBOO_SECRET = new Secret('fuzz-bamboo-private-key');
const BOB_SECRET = new Secret('fuzz-hibob-webhook-secret');
/** HiBob's `triggeredAt` for the genuine deliveries: now, since older ones are refused as replays. */
const TRIGGERED_AT = new Date().toISOString().replace('Z', '');
const WRONG = { generic: new Secret('whsec_d3Jvbmcgc2VjcmV0IGZvciB0aGUgZnV6eiB0ZXN0cw=='), other: new Secret('wrong-secret-for-fuzzing') };


interface Shot {
  kind: string;
  method: string;
  path: string;
  /** Built at send time, so signatures carry a current timestamp. */
  build: () => { headers: Record<string, string>; body?: string | Buffer };
  expected: number[];
  /** Genuine deliveries: the runs they must produce. */
  runs?: string[];
}

/** Values HR could send that must reach nobody as markup and stall nothing: in every vendor's format. */
const HOSTILE = {
  title: `${'a'.repeat(30)}!`,
  firstName: '<!channel> <https://evil.example|payroll> & \u202egnp.exe',
  lastName: 'Robert\'); DROP TABLE identities;--',
};

const plans = [
  plan('fz-hired', { event: 'employee.hired' }, []),
  plan('fz-departed', { event: 'employee.departed' }, []),
  plan('fz-updated', { event: 'employee.updated' }, []),
  // Conditions built to be costly, on an event type no genuine delivery carries: each must be answered at once, matching nothing.
  plan('fz-redos', { event: 'contract.renewed', if: 'employee.title.matches("^(a+)+$")' }, []),
  plan('fz-split', { event: 'contract.renewed', if: 'employee.title.split("").map(a, employee.title.split("").map(b, a + b)).size() < 0' }, []),
  { ...plan('fz-costly', { event: 'contract.renewed', if: 'vars.xs.map(a, vars.xs.map(b, vars.xs.map(c, vars.xs.map(d, a + b + c + d)))).size() < 0' }, []), vars: { xs: Array.from({ length: 100 }, (_, i) => i) } },
];
const planFor = { 'employee.hired': 'fz-hired', 'employee.departed': 'fz-departed', 'employee.updated': 'fz-updated' } as const;

const fakeApi = (vendor: string): Enricher => ({ vendor, enrich: async (event) => ({ employee: { email: `${event.employee.id.toLowerCase()}@example.com`, ...HOSTILE } }) });

describe('hostile burst with genuine events in among it', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      bundle: await bundleWorkflows(),
      plans,
      sources: [genericSource(GENERIC_SECRET), bamboohrSource({ secrets: [BAMBOO_SECRET] }), hibobSource({ secrets: [BOB_SECRET] })],
      enrichers: [fakeApi('bamboohr'), fakeApi('hibob')],
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it(`answers ${TOTAL} requests correctly and turns every genuine event into exactly one run`, async () => {
    const random = seededRandom(SEED);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const run = unique('fz');
    const json = { 'content-type': 'application/json' };

    // Genuine events: one employee each, so every entity workflow is independent.
    const genuine: Shot[] = [];
    for (let i = 0; i < GENUINE; i++) {
      const id = `${run}-${i}`;
      const flavour = i % 4;
      if (flavour === 0) {
        const type = pick(['employee.hired', 'employee.departed', 'employee.updated'] as const);
        const body = JSON.stringify({ id: `evt_${id}`, type, occurredAt: '2026-11-20T10:00:00Z', source: 'generic', employee: { id, email: `${id}@example.com`, ...HOSTILE } });
        genuine.push({ kind: 'genuine generic', method: 'POST', path: '/webhooks/generic', build: () => ({ headers: { ...json, ...signGeneric(GENERIC_SECRET, `evt_${id}`, body) }, body }), expected: [202], runs: [`${planFor[type]}/${id}/evt_${id}`] });
      } else if (flavour === 1) {
        // Field-based BambooHR: several employees in one delivery.
        const ids = [`${id}-a`, `${id}-b`];
        const body = JSON.stringify({ employees: ids.map((e) => ({ id: e, action: 'Created', timestamp: '2026-03-02T09:15:00+0000', changedFields: [], fields: { 'Work Email': `${e}@example.com`, 'Job Title': HOSTILE.title, 'First Name': HOSTILE.firstName, 'Last Name': HOSTILE.lastName } })) });
        genuine.push({ kind: 'genuine bamboohr fields', method: 'POST', path: '/webhooks/bamboohr', build: () => ({ headers: { ...json, ...signBambooHr(BAMBOO_SECRET, body) }, body }), expected: [202], runs: ids.map((e) => `fz-hired/${e}/`) });
      } else if (flavour === 2) {
        const body = JSON.stringify({ type: 'employee.created', timestamp: '2026-03-02T09:15:00+0000', data: { companyId: '1', employeeId: id } });
        genuine.push({ kind: 'genuine bamboohr thin', method: 'POST', path: '/webhooks/bamboohr', build: () => ({ headers: { ...json, ...signBambooHr(BAMBOO_SECRET, body) }, body }), expected: [202], runs: [`fz-hired/${id}/`] });
      } else {
        const body = JSON.stringify({ companyId: 7, type: 'employee.left', triggeredBy: 'system', triggeredAt: TRIGGERED_AT, version: 'v2', data: { employeeId: id } });
        genuine.push({ kind: 'genuine hibob', method: 'POST', path: '/webhooks/hibob', build: () => ({ headers: { ...json, ...signHiBob(BOB_SECRET, body) }, body }), expected: [202], runs: [`fz-departed/${id}/`] });
      }
    }
    // Redeliveries: the same bytes again, freshly signed as a retrying sender would. Whichever copy
    // arrives first is accepted (202); the other is a duplicate (200) or, racing it, a harmless
    // re-signal (202) that the entity workflow drops.
    const redelivered = new Set(Array.from({ length: REDELIVERIES }, (_, i) => (i * 3) % GENUINE));
    for (const i of redelivered) (genuine[i] as Shot).expected = [200, 202];
    const redeliveries = [...redelivered].map((i) => ({ ...(genuine[i] as Shot), kind: 'redelivery', runs: [] as string[] }));

    const validHire = (id: string) => JSON.stringify({ id: `evt_${id}`, type: 'employee.hired', occurredAt: '2026-11-20T10:00:00Z', source: 'generic', employee: { id, email: `${id}@example.com` } });
    const signedGeneric = (body: string, at?: Date) => ({ ...json, ...signGeneric(GENERIC_SECRET, 'msg_fz', body, at) });
    const huge = `{"pad":"${'x'.repeat(1024 * 1024 + 10)}"}`;
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    // Bodies that break each source's schema.
    const schemaBodies = {
      '/webhooks/generic': (n) => JSON.stringify({ id: `evt x${n}`, type: 'employee.fired', occurredAt: 'yesterday', source: 'generic', employee: { id: '', email: 'no' } }),
      '/webhooks/bamboohr': (n) => JSON.stringify({ employees: [{ id: `x${n}`, action: 'Created', fields: { 'Work Email': 'not an email', 'Hire Date': '2026-13-45' } }] }),
      '/webhooks/hibob': () => JSON.stringify({ companyId: 1, type: 'employee.left', triggeredAt: '2026-04-01T00:00:00', data: {} }),
    } as const satisfies Record<string, (n: number) => string>;

    const hostile: ((n: number) => Shot)[] = [
      (n) => ({ kind: 'wrong secret', method: 'POST', path: '/webhooks/generic', build: () => ({ headers: { ...json, ...signGeneric(WRONG.generic, 'm', validHire(`x${n}`)) }, body: validHire(`x${n}`) }), expected: [401] }),
      (n) => ({ kind: 'garbage signature', method: 'POST', path: pick(['/webhooks/bamboohr', '/webhooks/hibob', '/webhooks/generic']), build: () => ({ headers: { ...json, 'x-bamboohr-signature': 'f'.repeat(64), 'x-bamboohr-timestamp': String(Math.floor(Date.now() / 1000)), 'bob-signature': Buffer.alloc(64, n % 256).toString('base64'), 'webhook-id': 'm', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': `v1,${Buffer.alloc(32, n % 256).toString('base64')}` }, body: validHire(`x${n}`) }), expected: [401] }),
      (n) => ({ kind: 'missing signature', method: 'POST', path: pick(['/webhooks/bamboohr', '/webhooks/hibob', '/webhooks/generic']), build: () => ({ headers: json, body: validHire(`x${n}`) }), expected: [401] }),
      (n) => ({ kind: 'stale timestamp', method: 'POST', path: '/webhooks/generic', build: () => ({ headers: signedGeneric(validHire(`x${n}`), new Date(Date.now() - 10 * 60_000)), body: validHire(`x${n}`) }), expected: [401] }),
      (n) => ({ kind: 'future timestamp', method: 'POST', path: '/webhooks/bamboohr', build: () => { const body = JSON.stringify({ type: 'employee.created', data: { employeeId: `x${n}` } }); return { headers: { ...json, ...signBambooHr(BAMBOO_SECRET, body, new Date(Date.now() + 10 * 60_000)) }, body }; }, expected: [401] }),
      (n) => ({ kind: 'signature of another body', method: 'POST', path: '/webhooks/hibob', build: () => ({ headers: { ...json, ...signHiBob(BOB_SECRET, '{"companyId":1}') }, body: `{"companyId":${n + 2}}` }), expected: [401] }),
      () => ({ kind: 'huge body', method: 'POST', path: pick(['/webhooks/generic', '/webhooks/bamboohr']), build: () => ({ headers: json, body: huge }), expected: [413] }),
      (n) => ({ kind: 'wrong content type', method: 'POST', path: '/webhooks/generic', build: () => { const body = validHire(`x${n}`); return { headers: { ...signedGeneric(body), 'content-type': pick(['text/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/plain', 'application/octet-stream']) }, body }; }, expected: [415] }),
      () => ({ kind: 'broken JSON', method: 'POST', path: '/webhooks/generic', build: () => { const body = pick(['{', '{"id":', 'null', '', '{"a":1}}', "{'single':1}", '[1,2,']); return { headers: signedGeneric(body), body }; }, expected: [400] }),
      (n) => {
        // Validly signed for every vendor at once; the body is the one that breaks the path's schema.
        const path = pick(['/webhooks/generic', '/webhooks/bamboohr', '/webhooks/hibob'] as const);
        const body = schemaBodies[path](n);
        return { kind: 'schema violation', method: 'POST', path, build: () => ({ headers: { ...json, ...signGeneric(GENERIC_SECRET, 'm', body), ...signBambooHr(BAMBOO_SECRET, body), ...signHiBob(BOB_SECRET, body) }, body }), expected: [400] };
      },
      (n) => ({ kind: 'prototype pollution', method: 'POST', path: '/webhooks/bamboohr', build: () => { const body = pick([`{"employees":[{"id":"x${n}","action":"Created","fields":{"__proto__":{"admin":true}}}]}`, `{"type":"employee.created","data":{"employeeId":"x","constructor":{"prototype":{"admin":true}}}}`]); return { headers: { ...json, ...signBambooHr(BAMBOO_SECRET, body) }, body }; }, expected: [400] }),
      () => ({ kind: 'deep nesting', method: 'POST', path: '/webhooks/hibob', build: () => { const body = `{"companyId":1,"type":"employee.left","triggeredAt":"${TRIGGERED_AT}","data":{"employeeId":"d","x":${deep}}}`; return { headers: { ...json, ...signHiBob(BOB_SECRET, body) }, body }; }, expected: [202, 200] }),
      () => ({ kind: 'not UTF-8', method: 'POST', path: '/webhooks/hibob', build: () => { const body = Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]); return { headers: { ...json, 'bob-signature': signHiBob(BOB_SECRET, body.toString('latin1'))['bob-signature'] as string }, body }; }, expected: [400] }),
      (n) => ({ kind: 'unknown source', method: 'POST', path: `/webhooks/${pick(['workday', 'admin', '..%2f..%2fetc', 'x'.repeat(300), '__proto__', 'constructor'])}${n % 2 ? '' : '?debug=1'}`, build: () => ({ headers: json, body: validHire(`x${n}`) }), expected: [404, 414] }),
      () => ({ kind: 'wrong method', method: pick(['GET', 'PUT', 'DELETE', 'PATCH']), path: '/webhooks/generic', build: () => ({ headers: {} }), expected: [404] }),
      (n) => ({ kind: 'costly conditions', method: 'POST', path: '/webhooks/generic', build: () => { const body = JSON.stringify({ id: `evt_cc${n}`, type: 'contract.renewed', occurredAt: '2026-11-20T10:00:00Z', source: 'generic', employee: { id: `cc${n}`, email: `cc${n}@example.com`, title: pick([HOSTILE.title, `${'a'.repeat(199)}!`, `${'a'.repeat(100)}b${'a'.repeat(99)}`]) } }); return { headers: signedGeneric(body), body }; }, expected: [200] }),
      (n) => {
        // An id within each vendor's own limits in UTF-16 units or not, but too long in UTF-8 bytes (the one measure).
        const id = pick(['😀'.repeat(200), 'x'.repeat(129), 'é'.repeat(65), '😀'.repeat(33)]);
        const path = pick(['/webhooks/generic', '/webhooks/bamboohr', '/webhooks/hibob'] as const);
        const bodies = {
          '/webhooks/generic': () => JSON.stringify({ id: `evt_long${n}`, type: 'employee.hired', occurredAt: '2026-11-20T10:00:00Z', source: 'generic', employee: { id, email: 'long@example.com' } }),
          '/webhooks/bamboohr': () => JSON.stringify({ employees: [{ id, action: 'Created', fields: { 'Work Email': 'long@example.com' } }] }),
          '/webhooks/hibob': () => JSON.stringify({ companyId: 1, type: 'employee.created', triggeredAt: TRIGGERED_AT, data: { employeeId: id } }),
        };
        const body = bodies[path]();
        return { kind: 'id too long', method: 'POST', path, build: () => ({ headers: { ...json, ...signGeneric(GENERIC_SECRET, 'm', body), ...signBambooHr(BAMBOO_SECRET, body), ...signHiBob(BOB_SECRET, body) }, body }), expected: [400] };
      },
      (n) => ({ kind: 'replayed hibob', method: 'POST', path: '/webhooks/hibob', build: () => { const body = JSON.stringify({ companyId: 7, type: 'employee.left', triggeredAt: '2025-11-20T00:00:00', data: { employeeId: `old${n}` } }); return { headers: { ...json, ...signHiBob(BOB_SECRET, body) }, body }; }, expected: [401] }),
      (n) => ({ kind: 'junk after timestamp', method: 'POST', path: '/webhooks/generic', build: () => { const body = validHire(`x${n}`); return { headers: { ...signedGeneric(body), 'webhook-timestamp': `${Math.floor(Date.now() / 1000)}xyz` }, body }; }, expected: [401] }),
      () => ({ kind: 'oversized header', method: 'POST', path: '/webhooks/generic', build: () => ({ headers: { ...json, 'webhook-signature': `v1,${'A'.repeat(20_000)}` }, body: '{}' }), expected: [431] }),
    ];
    const shots: Shot[] = [...genuine, ...redeliveries];
    for (let n = 0; shots.length < TOTAL; n++) {
      shots.push(pick(hostile)(n));
    }
    // Fisher–Yates: a redelivery may well arrive before its first copy.
    for (let i = shots.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [shots[i], shots[j]] = [shots[j] as Shot, shots[i] as Shot];
    }

    const started = Date.now();
    const outcomes: { shot: Shot; status: number; body: string }[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < shots.length) {
          const shot = shots[next++] as Shot;
          const { headers, body } = shot.build();
          const response = await request(`${h.baseUrl}${shot.path}`, { method: shot.method as 'POST', headers, ...(body !== undefined ? { body } : {}) });
          outcomes.push({ shot, status: response.statusCode, body: await response.body.text() });
        }
      }),
    );
    const elapsed = Date.now() - started;

    // Every request got its class's status; none leaked a stack trace.
    const wrong = outcomes.filter((o) => !o.shot.expected.includes(o.status)).map((o) => `${o.shot.kind} ${o.shot.method} ${o.shot.path.slice(0, 40)} → ${o.status} ${o.body.slice(0, 200)}`);
    expect(wrong).toEqual([]);
    expect(outcomes.filter((o) => /\bat .+:\d+:\d+|node_modules/.test(o.body))).toEqual([]);

    // Each genuine event was accepted (202) at least once, whichever of its copies came first.
    const acceptedOnce = genuine.map((g) => outcomes.filter((o) => o.shot.build === g.build).some((o) => o.status === 202));
    expect(acceptedOnce.filter((ok) => !ok)).toEqual([]);

    // Every genuine event became exactly one run: each expected run exists (and finished), and
    // the task queue holds no run beyond them.
    const expected: string[] = [];
    for (const o of outcomes.filter((x) => x.shot.runs && x.shot.runs.length > 0)) {
      const events = (JSON.parse(o.body) as { events: { workflowId: string; runs: string[] }[] }).events;
      const runs = events.flatMap((e) => e.runs);
      expect(runs.map((r, i) => r.startsWith(o.shot.runs![i]!))).toEqual(o.shot.runs!.map(() => true));
      for (const e of events) await h.temporal.client.workflow.getHandle(e.workflowId).result();
      for (const r of runs) await h.temporal.client.workflow.getHandle(r).result();
      expected.push(...runs);
    }
    // The deep-nesting shots are genuine HiBob departures too (extra data is ignored): one run for them all.
    const deepRuns = new Set(outcomes.filter((o) => o.shot.kind === 'deep nesting').flatMap((o) => (JSON.parse(o.body) as { events: { runs: string[] }[] }).events.flatMap((e) => e.runs)));
    expect(deepRuns.size).toBeLessThanOrEqual(1);
    for (const r of deepRuns) await h.temporal.client.workflow.getHandle(r).result();
    const all = new Set([...expected, ...deepRuns]);
    expect(all.size).toBe(expected.length + deepRuns.size);

    // Visibility is eventually consistent: wait (bounded) until it has caught up with what must be there.
    const query = `TaskQueue = "${h.config.taskQueue}" AND WorkflowType = "definitionRun"`;
    const deadline = Date.now() + 30_000;
    let count = (await h.temporal.client.workflow.count(query)).count;
    while (count < all.size && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      count = (await h.temporal.client.workflow.count(query)).count;
    }
    expect(count).toBe(all.size);

    // The server is still up and still accepting.
    expect((await request(`${h.baseUrl}/healthz`)).statusCode).toBe(200);

    const byKind = new Map<string, Map<number, number>>();
    for (const o of outcomes) {
      const statuses = byKind.get(o.shot.kind) ?? new Map<number, number>();
      statuses.set(o.status, (statuses.get(o.status) ?? 0) + 1);
      byKind.set(o.shot.kind, statuses);
    }
    const table = [...byKind].sort(([a], [b]) => a.localeCompare(b)).map(([kind, statuses]) => `  ${kind.padEnd(26)} ${[...statuses].map(([s, c]) => `${s}×${c}`).join(' ')}`);
    console.log(
      [
        `fuzz: ${outcomes.length} requests in ${(elapsed / 1000).toFixed(1)} s (${CONCURRENCY} in flight, seed ${SEED})`,
        `  genuine deliveries ${GENUINE} + redeliveries ${REDELIVERIES} → ${all.size} runs, each exactly once (visibility count ${count})`,
        ...table,
      ].join('\n'),
    );
  });

  it('refuses hostile expressions in definitions with a code and a position, or bounds what they cost', () => {
    const random = seededRandom(SEED);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const list = (n: number) => `[${Array.from({ length: n }, (_, i) => i).join(', ')}]`;
    const nested = (depth: number) => {
      let body = 'x0';
      for (let d = depth - 1; d >= 0; d--) body = `vars.xs.map(x${d}, ${d === depth - 1 ? `x${d} + x0` : body})`;
      return `${body}.size() > 0`;
    };
    const generators: (() => { expression: string; vars?: string })[] = [
      () => ({ expression: `employee.title.matches("${pick(['^(a+)+$', '(a|aa)+$', '(x+x+)+y', '^(\\\\w+\\\\s?)*$', '(.*a){12}'])}")` }),
      () => ({ expression: `employee.title.matches("${pick(['(?<=a)b', '(a)\\\\1', '(?=x)y', '(?!x)y', 'a{2,1001}'])}")` }),
      () => ({ expression: nested(2 + Math.floor(random() * 3)), vars: `xs: ${list(pick([10, 100, 300]))}` }),
      () => ({ expression: `${Array.from({ length: pick([10, 200, 600]) }, () => 'employee.title').join(' + ')} != ""` }),
      () => ({ expression: `employee.title.split("").map(a, employee.title.split("").map(b, a + b).join()).size() ${pick(['>', '<'])} 0` }),
      () => ({ expression: `${'('.repeat(pick([20, 300]))}true${')'.repeat(300)}` }),
      () => ({ expression: pick(['employee.title.replace("a", "b") == ""', 'employee.nope == 1', 'steps.x.output == 1', 'process.env == null']) }),
    ];
    const counts = new Map<string, number>();
    const count = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
    const hostileHire = eventContext({ id: 'evt_h', type: 'employee.hired', occurredAt: '2026-11-20T10:00:00Z', source: 'generic', employee: { id: 'H', email: 'h@example.com', title: `${'a'.repeat(199)}!` } });
    let slowest = 0;
    for (let i = 0; i < 300; i++) {
      const { expression, vars } = pick(generators)();
      const text = `name: fz-expr-${i}\n${vars ? `vars:\n  ${vars}\n` : ''}on:\n  event: employee.hired\n  if: '${expression.replace(/'/g, "''")}'\nsteps:\n  - id: tell\n    action: notify\n    with: { channel: it, text: hi }\n`;
      const started = performance.now();
      const { plan: loaded, problems } = loadDefinitionText(text, `fz-expr-${i}.yaml`);
      if (problems.length > 0) {
        for (const problem of problems) {
          expect(['BAD_REGEX', 'EXPRESSION_BUDGET', 'BAD_EXPRESSION', 'INVALID_VALUE']).toContain(problem.code);
          expect(problem.line).toBeGreaterThan(0);
          expect(problem.col).toBeGreaterThan(0);
          count(`refused at load: ${problem.code}`);
        }
      } else {
        const context = { ...hostileHire, vars: (loaded!.vars ?? {}) as typeof hostileHire.vars };
        try {
          evaluateCondition(loaded!.trigger && 'if' in loaded!.trigger ? (loaded!.trigger.if as string) : 'true', context);
          count('loaded, evaluated');
        } catch (error) {
          if (!(error instanceof ExpressionError)) throw error;
          count(`loaded, failed on the values: ${error.message.split(' (in ')[0]?.slice(0, 40)}`);
        }
      }
      slowest = Math.max(slowest, performance.now() - started);
    }
    // Every one was decided quickly: refused, or evaluated within its budget (a loose bound: the machine is shared).
    expect(slowest).toBeLessThan(2_000);
    expect([...counts.keys()].some((k) => k.includes('BAD_REGEX'))).toBe(true);
    expect([...counts.keys()].some((k) => k.includes('EXPRESSION_BUDGET'))).toBe(true);
    console.log(
      [
        `fuzz: 300 hostile expressions in definitions (seed ${SEED}), slowest load and evaluation ${slowest.toFixed(0)} ms`,
        ...[...counts].sort(([a], [b]) => a.localeCompare(b)).map(([key, n]) => `  ${key.padEnd(72)} ${n}`),
      ].join('\n'),
    );
  });

  itReplaysEveryWorkflow(() => h);
});
