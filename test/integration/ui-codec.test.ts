// The Temporal Web UI of `tenure dev` (what `npm start` runs) shows a run's input decoded:
// the embedded UI is started with its codec endpoint set to the trigger server's /codec,
// and a real browser (Debian's Chromium, driven by playwright-core) calls it. A screenshot
// of the decoded run is kept under test-results/ (a CI artifact).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { request } from 'undici';
import { devStackSetup, stopDevStack, type DevStackPorts } from '../helpers/dev-stack.ts';
import { eventually, startTenure, type RunningCommand } from '../helpers/process.ts';

const CHROMIUM = '/usr/bin/chromium';
const RESULTS = resolve(import.meta.dirname, '../../test-results');

describe('the Temporal UI of tenure dev decodes payloads through the codec endpoint', () => {
  let env: NodeJS.ProcessEnv;
  let ports: DevStackPorts;
  let running: RunningCommand | undefined;
  let browser: BrowserContext | undefined;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
    ({ env, ports } = await devStackSetup('tenure-ui-', /^(TEMPORAL_ADDRESS|OPENAI_ADMIN_KEY|TENURE_WEBHOOK_SECRET|TENURE_PAYLOAD_KEYS)$/));
  });

  afterAll(async () => {
    await browser?.close();
    await stopDevStack(running, { showOutput: false });
  });

  it('shows the hire\'s decoded input (email, names, manager) on the run page', async () => {
    running = startTenure(['dev'], env);
    await running.waitFor(/Stop with Ctrl-C/, 120_000);
    expect(running.output()).toContain(`codec endpoint   http://127.0.0.1:${ports.trigger}/codec`);

    const sender = startTenure(['send', 'examples/hire.json'], env);
    expect((await sender.exited).code).toBe(0);
    const runId = 'onboard-openai/E-1001/evt_example_hire_ada';
    expect(sender.output()).toContain(runId);
    // The invite is the run's last OpenAI action: once the emulator holds it, the run's input is in history.
    await eventually(async () => {
      const state = (await (await request(`http://127.0.0.1:${ports.emulator}/_emulator/state`)).body.json()) as { invites: { email: string }[] };
      return state.invites.some((i) => i.email === 'ada@example.com') ? true : undefined;
    }, 60_000, 'the invite');

    browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'tenure-chromium-')), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1400, height: 1000 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage();
    const codecAnswers: number[] = [];
    page.on('response', (response) => {
      if (response.url().startsWith(`http://127.0.0.1:${ports.trigger}/codec/decode`)) codecAnswers.push(response.status());
    });
    await page.goto(`http://127.0.0.1:${ports.ui}/namespaces/default/workflows/${encodeURIComponent(runId)}`);

    const input = page.locator('div').filter({ has: page.locator(':scope > h3:text-is("Input")') }).last();
    await input.getByText('"plan"').waitFor({ timeout: 60_000 });
    // The code editor (CodeMirror) draws only the lines in view, so what it shows depends on the
    // window and the layout; its document is the whole decoded input, read from the editor itself.
    const editor = input.locator('.cm-content').first();
    const shown = await editor.evaluate((element) => {
      // CodeMirror 6 keeps its view on the content element: `cmTile.view` (6.39+) or `cmView.rootView.view` before.
      interface EditorLike { state: { doc: { toString(): string } } }
      const dom = element as unknown as { cmTile?: { view?: EditorLike }; cmView?: { rootView?: { view?: EditorLike } } };
      const view = dom.cmTile?.view ?? dom.cmView?.rootView?.view;
      if (!view) throw new Error('the Input block is not a CodeMirror 6 editor any more: read its text another way');
      return view.state.doc.toString();
    });
    for (const value of ['"ada@example.com"', '"Ada"', '"Lovelace"', '"grace@example.com"']) expect(shown).toContain(value);
    expect(shown).not.toContain('binary/encrypted');
    expect(codecAnswers.length).toBeGreaterThan(0);
    expect(codecAnswers.every((status) => status === 200)).toBe(true);

    mkdirSync(RESULTS, { recursive: true });
    const file = join(RESULTS, 'ui-codec-decoded-input.png');
    writeFileSync(file, await page.screenshot());
    expect(existsSync(file)).toBe(true);
  }, 300_000);
});
