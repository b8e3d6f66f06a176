// The definition commands as a person runs them: `tenure validate`, `tenure schema` and
// `tenure plan`, each a real child process of bin/tenure.js.
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function tenure(args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  try {
    // The timeout only stops a hang from blocking the suite; speed is measured in bench/validate.ts.
    const { stdout, stderr } = await exec(process.execPath, ['bin/tenure.js', ...args], { env: { ...process.env, ...env }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function expectations(file: string): string[] {
  return [...readFileSync(file, 'latin1').matchAll(/^# expect: ([A-Z_]+) (\d+:\d+)$/gm)].map((m) => `${file}:${m[2]}: ${m[1]}`);
}

describe('tenure validate', () => {
  it('passes the shipped definitions', async () => {
    const result = await tenure(['validate', 'definitions/']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^5 definition\(s\) valid: move-department v\w{7}, offboard-openai v\w{7}, onboard-openai v\w{7}, reconcile-departed v\w{7}, renew-contract v\w{7}$/m);
  });

  it.each(['invalid', 'hostile'])('fails on the %s corpus, naming every file:line:col and code, with source and caret', async (folder) => {
    const dir = `test/fixtures/definitions/${folder}`;
    const result = await tenure(['validate', dir]);
    expect(result.code).toBe(1);
    const printed = result.stderr.split('\n').filter((line) => /^\S+:\d+:\d+: [A-Z_]+ /.test(line));
    const wanted = readdirSync(dir).flatMap((name) => expectations(join(dir, name)));
    expect(printed.map((line) => line.replace(/^(\S+:\d+:\d+: [A-Z_]+) .*$/, '$1')).sort()).toEqual(wanted.sort());
    expect(result.stderr).toContain(`${printed.length} problem(s)`);
  });

  it('shows the source line, a caret under the column and a hint', async () => {
    const result = await tenure(['validate', 'test/fixtures/definitions/invalid/unknown-action.yaml']);
    expect(result.code).toBe(1);
    const lines = result.stderr.split('\n');
    expect(lines[0]).toMatch(/^test\/fixtures\/definitions\/invalid\/unknown-action\.yaml:6:13: UNKNOWN_ACTION unknown action 'openai\.invitee'; valid actions are openai\.invite, /);
    expect(lines.slice(1, 4)).toEqual(['      action: openai.invitee', '              ^', '  hint: did you mean openai.invite?']);
  });

  it('prints problems as JSON for tools', async () => {
    const result = await tenure(['validate', '--json', 'test/fixtures/definitions/invalid/bad-duration.yaml']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ valid: false, problems: [{ code: 'BAD_DURATION', line: 6, col: 11 }] });
  });
});

describe('tenure schema', () => {
  it('prints the committed tenure.schema.json', async () => {
    const result = await tenure(['schema']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(readFileSync('tenure.schema.json', 'utf8'));
  });
});

describe('tenure plan', () => {
  it('lists the invite with the employee’s email, and contacts nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tenure-plan-'));
    const home = join(dir, 'home');
    const event = join(dir, 'hire.json');
    writeFileSync(
      event,
      JSON.stringify({
        id: 'evt_plan_1',
        type: 'employee.hired',
        occurredAt: '2026-11-20T10:00:00Z',
        source: 'generic',
        employee: { id: 'E-42', email: 'lin@example.com', department: 'Research', employmentType: 'full_time', startDate: '2026-12-01', timezone: 'Asia/Tokyo' },
      }),
    );
    // Any socket the process opens (HTTP to OpenAI, gRPC to Temporal, PostgreSQL) fails it loudly.
    const guard = join(dir, 'no-network.mjs');
    writeFileSync(
      guard,
      [
        "import net from 'node:net';",
        "import dns from 'node:dns';",
        "const deny = (what) => function () { process.stderr.write(`NETWORK ATTEMPT: ${what}\\n`); process.exit(97); };",
        "net.Socket.prototype.connect = deny('socket connect');",
        "dns.lookup = deny('dns lookup');",
      ].join('\n'),
    );
    const env = {
      NODE_OPTIONS: `--import=${guard}`,
      TEMPORAL_ADDRESS: '127.0.0.1:1',
      OPENAI_ADMIN_KEY: 'sk-admin-test-never-used-0000000000000000',
      OPENAI_BASE_URL: 'http://127.0.0.1:1/v1',
      TENURE_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
      TENURE_HOME: home,
    };

    const text = await tenure(['plan', event, '--now', '2026-11-20T10:00:00Z'], env);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('onboard-openai v');
    expect(text.stdout).toMatch(/invite-to-project +openai\.invite \{"email":"lin@example\.com","role":"reader","projects":\[\{"id":"proj_research","role":"member"\}\]\}/);
    expect(text.stdout).toContain('wait until 2026-11-29T23:00:00.000Z (Asia/Tokyo)');

    const json = await tenure(['plan', event, '--json', '--now', '2026-11-20T10:00:00Z'], env);
    expect(json.code).toBe(0);
    const result = JSON.parse(json.stdout) as { matched: { name: string; runId: string; steps: { kind: string; action?: string; input?: { email?: string } }[] }[] };
    expect(result.matched.map((m) => m.runId)).toEqual(['onboard-openai/E-42/evt_plan_1']);
    const invites = result.matched[0]!.steps.filter((s) => s.action === 'openai.invite');
    expect(invites.map((s) => s.input?.email)).toEqual(['lin@example.com']);

    // Nothing was written either: no store, no state folder.
    expect(() => readdirSync(home)).toThrow();

    // The former --event still works, with a note saying how to write it now.
    const deprecated = await tenure(['plan', '--event', event, '--json', '--now', '2026-11-20T10:00:00Z'], env);
    expect(deprecated.code).toBe(0);
    expect(deprecated.stdout).toBe(json.stdout);
    expect(deprecated.stderr).toBe(`tenure: note: --event is deprecated; give the file as the argument: tenure plan ${event}\n`);
  });

  it('asks for the event file when none is given, and refuses two', async () => {
    const none = await tenure(['plan']);
    expect([none.code, none.stderr]).toEqual([1, expect.stringContaining('which event? `tenure plan <file>`')]);
    const both = await tenure(['plan', 'examples/hire.json', '--event', 'examples/departure.json']);
    expect([both.code, both.stderr]).toEqual([1, expect.stringContaining('give the event file once')]);
  });

  it('says what is wrong with an event file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tenure-plan-'));
    const event = join(dir, 'bad.json');
    writeFileSync(event, JSON.stringify({ id: 'x', type: 'employee.hired', occurredAt: 'yesterday', source: 'generic', employee: { id: 'E', email: 'nope' } }));
    const result = await tenure(['plan', event]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/occurredAt: /);
    expect(result.stderr).toMatch(/employee\.email: /);
  });
});
