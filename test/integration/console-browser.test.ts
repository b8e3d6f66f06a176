// The operator console in a real browser (Debian's Chromium, driven by playwright-core),
// on the real trigger server with real Temporal, the OpenAI emulator and a real worker: a
// refused sign-in; the admin's approval refused by the run (NOT_AN_APPROVER); signing out
// and in as the approver, approving with a reason, and finding it in the audit log with
// the operator's name and reason; retrying a parked run once OpenAI answers again; and
// downloading the audit CSV. Screenshots are kept under test-results/ (a CI artifact).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { Plan } from '../../dsl/index.ts';
import { buildTriggerServer, operatorAuthenticator } from '../../triggers/index.ts';
import type { DefinitionRunResult } from '../../workflows/index.ts';
import { dateIn, deliver, employee, hrEvent, invitesFor, resultOf, untilState } from '../helpers/engine.ts';
import { compilePlan, startHarness, type Harness } from '../helpers/harness.ts';
import { itReplaysEveryWorkflow } from '../helpers/replay-all.ts';
import { memoryLogger } from '../helpers/logger.ts';
import { eventually } from '../helpers/process.ts';
import { APPROVED_INVITE } from '../helpers/definitions.ts';

const CHROMIUM = '/usr/bin/chromium';
const RESULTS = resolve(import.meta.dirname, '../../test-results');
const ADMIN_TOKEN = 'console-browser-admin-0123456789';
const GRACE_TOKEN = 'console-browser-grace-0123456789';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const OPERATORS_FILE = join(mkdtempSync(join(tmpdir(), 'tenure-operators-')), 'operators.yaml');
writeFileSync(OPERATORS_FILE, `operators:\n  - email: grace@example.com\n    token_sha256: ${sha256(GRACE_TOKEN)}\n`);

const FLAKY_INVITE = `
name: invite-flaky
on: { event: employee.hired }
steps:
  - id: invite
    action: openai.invite
    with: { email: "\${{ employee.email }}", role: reader }
    retry: { maxAttempts: 1 }
`;

describe('the operator console in a browser (real Temporal, emulator, worker)', () => {
  let h: Harness;
  let plans: Plan[];
  let app: ReturnType<typeof buildTriggerServer>;
  let base: string;
  let browser: BrowserContext | undefined;
  let page: Page;
  const log = memoryLogger();
  const ago = (m: number) => new Date(Date.now() - m * 60_000);

  const shot = async (name: string) => {
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(join(RESULTS, `console-${name}.png`), await page.screenshot({ fullPage: true }));
  };
  /** The card of one run on the Needs a person page, once visibility lists it there. */
  const cardOf = async (workflowId: string) => {
    const card = page.locator(`section[data-run="${workflowId}"]`);
    await eventually(async () => {
      await page.goto(`${base}/console/needs`);
      return (await card.count()) === 1 ? true : undefined;
    }, 60_000, `${workflowId} on the Needs a person page`);
    return card;
  };
  const signIn = async (token: string) => {
    await page.goto(`${base}/console`);
    expect(new URL(page.url()).pathname).toBe('/console/sign-in');
    await page.getByLabel('Operator token').fill(token);
    const [answer] = await Promise.all([page.waitForResponse((r) => r.url() === `${base}/console/sign-in` && r.request().method() === 'POST'), page.getByRole('button', { name: 'Sign in' }).click()]);
    return answer.status();
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
    h = await startHarness({ name: 'console-browser', logger: log.logger, env: { TENURE_ADMIN_TOKEN: ADMIN_TOKEN, TENURE_OPERATORS_FILE: OPERATORS_FILE } });
    plans = [compilePlan(APPROVED_INVITE), compilePlan(FLAKY_INVITE)];
    app = buildTriggerServer({
      client: h.temporal.client,
      taskQueue: h.config.taskQueue,
      sources: [],
      plans: () => plans,
      logger: log.logger,
      console: { store: h.store, authenticate: operatorAuthenticator(h.config), definitions: () => ({ plans, problems: [] }), namespace: 'default', temporalUiUrl: 'http://127.0.0.1:8233' },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'tenure-chromium-')), {
      executablePath: CHROMIUM,
      headless: true,
      acceptDownloads: true,
      viewport: { width: 1280, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await h?.close();
  });

  it('refuses a wrong token with a clear message', async () => {
    expect(await signIn('not-anyones-token-0123456789')).toBe(401);
    await expect(page.getByRole('alert').innerText()).resolves.toContain("that token is not an operator's token");
    expect(new URL(page.url()).pathname).toBe('/console/sign-in');
    await shot('sign-in-refused');
  });

  it('approves a waiting run with a reason as the signed-in operator, and the audit log shows who and why', async () => {
    const id = employee('CB');
    const renewal = hrEvent('contract.renewed', id, { manager: { email: 'grace@example.com' } }, ago(2));
    const runId = `approved-invite/${id}/${renewal.id}`;
    await deliver(h, [plans[0]!], renewal);
    await untilState(h, runId, (s) => s.awaitingApproval !== null, 'ask for approval');

    // The admin may sign in, but is not among the approvers: the run itself refuses.
    expect(await signIn(ADMIN_TOKEN)).toBe(303);
    expect(await page.getByTestId('operator').innerText()).toBe('admin');
    let card = await cardOf(runId);
    await expect(card.innerText()).resolves.toContain('asks grace@example.com');
    await card.getByLabel(/Reason/).fill('I am not the manager');
    await card.getByRole('button', { name: 'Approve' }).click();
    await expect(page.getByTestId('answer').innerText()).resolves.toMatch(/The run refused it: NOT_AN_APPROVER/);
    await shot('approve-refused');
    await page.getByRole('button', { name: 'Sign out' }).click();
    expect(new URL(page.url()).pathname).toBe('/console/sign-in');

    // The approver signs in and approves, with a reason.
    expect(await signIn(GRACE_TOKEN)).toBe(303);
    expect(new URL(page.url()).pathname).toBe('/console/needs');
    // The person's row on the People page shows the open run.
    await page.goto(`${base}/console/people`);
    await page.getByLabel(/Employee id or email/).fill(id);
    await page.getByRole('button', { name: 'Search' }).click();
    const person = page.locator('tr', { hasText: `generic/${id}` });
    await expect(person.innerText()).resolves.toMatch(/employed\s+none\s+\S+\s+1: waiting/);
    card = await cardOf(runId);
    await shot('needs-a-person');
    await card.getByLabel(/Reason/).fill('contract renewed for a year');
    await card.getByRole('button', { name: 'Approve' }).click();
    await expect(page.getByTestId('answer').innerText()).resolves.toBe("The run took it: approve of step ask (by grace@example.com).");
    // The same run in the Temporal UI.
    expect(await page.getByRole('link', { name: 'Open in the Temporal UI' }).getAttribute('href')).toBe(`http://127.0.0.1:8233/namespaces/default/workflows/${encodeURIComponent(runId)}`);
    await shot('approved');

    const result = await resultOf<DefinitionRunResult>(h, runId);
    expect(result.steps.map((s) => `${s.id} ${s.outcome}`)).toEqual(['ask approved', 'go then', 'invite created']);
    await page.getByRole('link', { name: 'Audit rows of this run' }).click();
    const row = page.locator('tr', { hasText: 'contract renewed for a year' });
    await expect(row.innerText()).resolves.toMatch(/approved\s+grace@example\.com\s+contract renewed for a year/);
    await shot('audit-of-run');
  }, 180_000);

  it('retries a parked run once OpenAI answers again', async () => {
    const id = employee('CB');
    const hire = hrEvent('employee.hired', id, { startDate: dateIn(-1) }, ago(1));
    const runId = `invite-flaky/${id}/${hire.id}`;
    h.emulator.faults.set({ seed: 1, rules: [{ path: '/v1/organization/invites', method: 'POST', kind: 'status', status: 503, rate: 1, ms: 0, when: 'before' }] });
    try {
      await deliver(h, [plans[1]!], hire);
      await untilState(h, runId, (s) => s.status === 'needs-attention', 'park');
      const card = await cardOf(runId);
      const shown = await card.innerText();
      expect(shown).toContain('step invite (action) failed with OPENAI_UNAVAILABLE');
      expect(shown).toContain('Fix: OpenAI did not answer in time');
      await shot('parked');
      h.emulator.faults.clear();
      await card.getByLabel(/Reason/).fill('OpenAI is back');
      await card.getByRole('button', { name: 'Retry' }).click();
      await expect(page.getByTestId('answer').innerText()).resolves.toBe('The run took it: retry of step invite (by grace@example.com).');
    } finally {
      h.emulator.faults.clear();
    }
    const result = await resultOf<DefinitionRunResult>(h, runId);
    expect(result.steps.map((s) => `${s.id} ${s.outcome}`)).toEqual(['invite created']);
    expect(invitesFor(h, hire.employee.email)).toHaveLength(1);
    const audit = await h.store.audit({ runId });
    expect(audit.map((a) => [a.action, a.outcome, a.actor, a.reason])).toContainEqual(['retry', 'noop', 'grace@example.com', 'OpenAI is back']);
  }, 180_000);

  it('downloads the audit log as CSV, filtered, from the Audit page', async () => {
    await page.goto(`${base}/console/audit`);
    await page.getByLabel('Action').fill('retry');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect(page.locator('tbody').innerText()).resolves.toContain('OpenAI is back');
    await shot('audit');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('tenure-audit.csv');
    const rows = parse(readFileSync((await download.path())!, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.action === 'retry')).toBe(true);
    expect(rows).toContainEqual(expect.objectContaining({ actor: 'grace@example.com', reason: 'OpenAI is back', outcome: 'noop' }));
  }, 60_000);

  it('reads on a phone: the pages fit a narrow screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const view of ['needs', 'people', 'runs', 'audit', 'definitions', 'drift']) {
      const answer = await page.goto(`${base}/console/${view}`);
      expect([view, answer!.status()]).toEqual([view, 200]);
      // Wide tables scroll inside their box; the page itself does not scroll sideways.
      const [scrollWidth, innerWidth] = (await page.evaluate('[document.documentElement.scrollWidth, window.innerWidth]')) as [number, number];
      expect([view, scrollWidth <= innerWidth]).toEqual([view, true]);
    }
    await page.goto(`${base}/console/people`);
    await shot('people-phone');
    // Nothing about the sign-in was logged: not the tokens.
    const logged = log.lines.join('\n');
    for (const token of [ADMIN_TOKEN, GRACE_TOKEN]) expect(logged).not.toContain(token);
  }, 60_000);

  itReplaysEveryWorkflow(() => h);
});
