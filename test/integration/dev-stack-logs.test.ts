// What `tenure dev` (what `npm start` runs) writes, read as a person or a log shipper would:
// piped (not a terminal) it writes JSON lines; `--log-format pretty` gives one readable line per
// event, no stack traces at info. Either way a notification without a webhook is in the log,
// the address masked. A definition whose notify names a secret the worker lacks makes a run
// park, so the log holds a failure too.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { devStackSetup, stopDevStack, writeHire } from '../helpers/dev-stack.ts';
import { startTenure, type RunningCommand } from '../helpers/process.ts';

const BROKEN = `# yaml-language-server: $schema=../tenure.schema.json
name: notify-unconfigured
on:
  event: employee.hired
steps:
  - id: tell-chat
    action: notify
    with:
      channel: it-chat
      text: "New hire \${{ employee.email }}"
      secret: NOT_CONFIGURED
`;

/** The lines `tenure dev` prints itself (banner, start and stop), not log lines. */
const isBanner = (line: string) => line === '' || line.startsWith('tenure: ') || line.startsWith('#') || line.startsWith('  ');

describe('tenure dev logs', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  let running: RunningCommand | undefined;

  beforeAll(async () => {
    ({ home, env } = await devStackSetup('tenure-dev-logs-', /^(TEMPORAL_ADDRESS|OPENAI_ADMIN_KEY|TENURE_WEBHOOK_SECRET|TENURE_LOG_FORMAT|TENURE_DEFINITIONS)$/));
    const definitions = join(home, 'definitions');
    mkdirSync(definitions);
    for (const file of readdirSync('definitions')) copyFileSync(join('definitions', file), join(definitions, file));
    writeFileSync(join(definitions, 'notify-unconfigured.yaml'), BROKEN);
    env = { ...env, TENURE_DEFINITIONS: definitions, TENURE_LOG_LEVEL: 'info' };
  });

  afterAll(() => stopDevStack(running, { showOutput: true }));

  /** Runs `tenure dev …args`, sends one hire, waits for `until` to be printed, stops it; returns what it printed, line by line. */
  async function session(args: string[], name: string, until: RegExp[]): Promise<string[]> {
    running = startTenure(['dev', ...args], env);
    await running.waitFor(/Stop with Ctrl-C/, 90_000);
    const file = writeHire(home, name, { id: `E-${name}`, department: 'Engineering', startDate: '2026-01-05' });
    try {
      const sender = startTenure(['send', file], env);
      expect((await sender.exited).code).toBe(0);
      for (const pattern of until) await running.waitFor(pattern, 60_000);
    } catch (error) {
      // The next session needs the ports.
      await stopDevStack(running, { showOutput: false });
      throw error;
    }
    running.child.kill('SIGINT');
    expect((await running.exited).code).toBe(0);
    const output = running.output();
    running = undefined;
    expect(output).not.toContain(`${name}@example.com`);
    expect(output).not.toMatch(/^\s+at /m);
    return output.split('\n');
  }

  it('piped, writes JSON lines: the notification with its text, the failure with its code', async () => {
    const lines = await session([], 'ada', [/"text":"Invited [^\n]*"msg":"notification"/, /"msg":"run needs attention"/]);
    const logLines = lines.filter((line) => !isBanner(line));
    expect(logLines.length).toBeGreaterThan(5);
    const parsed = logLines.map((line) => JSON.parse(line) as { level: number; msg: string; text?: string; error?: { type?: string } });
    expect(parsed.find((l) => l.msg === 'notification' && l.text?.startsWith('Invited'))).toMatchObject({ level: 30, text: 'Invited a•••@example.com (Engineering) to OpenAI' });
    expect(parsed.find((l) => l.msg === 'run needs attention')).toMatchObject({ level: 40, error: { type: 'SECRET_NOT_SET' } });
  });

  it('with --log-format pretty, writes one readable line per event, without stack traces', async () => {
    const lines = await session(['--log-format', 'pretty'], 'grace', [/INFO: notification .*Invited/, /WARN: run needs attention/]);
    const logLines = lines.filter((line) => !isBanner(line));
    expect(logLines.length).toBeGreaterThan(5);
    for (const line of logLines) expect(line).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] (TRACE|DEBUG|INFO|WARN|ERROR|FATAL): \S/);
    expect(lines.join('\n')).not.toContain('{"level"');
    expect(logLines.find((l) => l.includes('INFO: notification ') && l.includes('Invited'))).toContain('text="Invited g•••@example.com (Engineering) to OpenAI"');
    expect(logLines.find((l) => l.includes('WARN: run needs attention'))).toMatch(/workflowId=notify-unconfigured\/E-grace\/evt_grace .*error="SECRET_NOT_SET: notify: the secret NOT_CONFIGURED is not set/);
  });
});
