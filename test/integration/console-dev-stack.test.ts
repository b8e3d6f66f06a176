// What a newcomer does after `npm start` (`tenure dev`, as a child process): the banner
// says where the console is and where its sign-in token is kept (never the token itself);
// they add the example approval definition, send the example events, sign in to the console
// in a real browser (Debian's Chromium) with that token, approve the waiting run with a
// reason, find it in the audit log with their name and reason, and follow the link to the
// same run in the embedded Temporal UI. Screenshots are kept under test-results/.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { devStackSetup, stopDevStack, type DevStackPorts } from '../helpers/dev-stack.ts';
import { eventually, startTenure, type RunningCommand } from '../helpers/process.ts';

const CHROMIUM = '/usr/bin/chromium';
const RESULTS = resolve(import.meta.dirname, '../../test-results');
const RUN = 'owner-approval/E-1001/evt_example_promotion_ada';

describe('from npm start: approve a waiting run in the console, see it audited, open it in the Temporal UI', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  let ports: DevStackPorts;
  let running: RunningCommand | undefined;
  let browser: BrowserContext | undefined;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
    // The shipped definitions and the example approval, as a newcomer would copy it in.
    const definitions = mkdtempSync(join(tmpdir(), 'tenure-console-defs-'));
    for (const file of readdirSync('definitions').filter((f) => f.endsWith('.yaml'))) copyFileSync(join('definitions', file), join(definitions, file));
    copyFileSync('examples/definitions/owner-approval.yaml', join(definitions, 'owner-approval.yaml'));
    ({ home, env, ports } = await devStackSetup(
      'tenure-console-dev-',
      /^(TEMPORAL_ADDRESS|OPENAI_ADMIN_KEY|TENURE_WEBHOOK_SECRET|TENURE_PAYLOAD_KEYS|TENURE_ADMIN_TOKEN|TENURE_OPERATORS_FILE|TENURE_TEMPORAL_UI_URL|TENURE_CONSOLE_SECRET)$/,
      { TENURE_DEFINITIONS: definitions, TENURE_LOG_LEVEL: 'info' },
    ));
  });

  afterAll(async () => {
    await browser?.close();
    await stopDevStack(running, { showOutput: false });
  });

  it('works end to end, and never prints the sign-in token', async () => {
    running = startTenure(['dev'], env);
    await running.waitFor(/Stop with Ctrl-C/, 120_000);
    const consoleUrl = `http://127.0.0.1:${ports.trigger}/console`;
    expect(running.output()).toContain(`console          ${consoleUrl}   (sign in with the adminToken in ${join(home, 'dev-secrets.json')})`);
    const token = (JSON.parse(readFileSync(join(home, 'dev-secrets.json'), 'utf8')) as { adminToken: string }).adminToken;
    expect(token).toMatch(/^tenure-dev-/);

    for (const file of ['examples/hire.json', 'examples/promotion.json']) {
      const sender = startTenure(['send', file], env);
      expect((await sender.exited).code).toBe(0);
    }

    browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'tenure-chromium-')), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage();
    const shot = async (name: string) => {
      mkdirSync(RESULTS, { recursive: true });
      writeFileSync(join(RESULTS, `console-dev-${name}.png`), await page.screenshot({ fullPage: true }));
    };
    await page.goto(consoleUrl);
    await page.getByLabel('Operator token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.getByTestId('operator').innerText()).toBe('admin');

    const card = page.locator(`section[data-run="${RUN}"]`);
    await eventually(async () => {
      await page.goto(`${consoleUrl}/needs`);
      return (await card.count()) === 1 ? true : undefined;
    }, 60_000, 'the waiting run on the Needs a person page');
    await expect(card.innerText()).resolves.toContain('asks admin, grace@example.com');
    await shot('needs-a-person');
    await card.getByLabel(/Reason/).fill('Ada leads the team now');
    await card.getByRole('button', { name: 'Approve' }).click();
    await expect(page.getByTestId('answer').innerText()).resolves.toBe('The run took it: approve of step ask (by admin).');

    await page.getByRole('link', { name: 'Audit rows of this run' }).click();
    const row = page.locator('tr', { hasText: 'Ada leads the team now' });
    await expect(row.innerText()).resolves.toMatch(/approved\s+admin\s+Ada leads the team now/);
    await shot('audit');

    // The Runs page links the run to the embedded Temporal UI, which shows that run.
    await page.goto(`${consoleUrl}/runs?definition=owner-approval`);
    const link = page.locator('tr', { hasText: RUN }).getByRole('link', { name: 'Temporal UI' });
    const href = await link.getAttribute('href');
    expect(href).toBe(`http://127.0.0.1:${ports.ui}/namespaces/default/workflows/${encodeURIComponent(RUN)}`);
    await link.click();
    await page.waitForURL(`http://127.0.0.1:${ports.ui}/**`);
    await page.getByText(RUN).first().waitFor({ timeout: 60_000 });
    await shot('temporal-ui');

    expect(running.output()).not.toContain(token);
  }, 300_000);
});
