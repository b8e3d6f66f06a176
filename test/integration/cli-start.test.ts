// `tenure` itself, as a person runs it (a child process of bin/tenure.js): --version, the
// command list, and that each command loads only what it uses. A preloaded module hook
// reports every package the process loads, so the test sees what `validate` and `--help`
// pull in. Start-up times are measured in bench/cli.ts, not here.
import { afterAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { COMMANDS } from '../../cli/commands/index.ts';

const exec = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'tenure-cli-start-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Prints `LOADED <package>` for each package under node_modules the process resolves.
const hook = join(dir, 'report-packages.mjs');
writeFileSync(
  hook,
  [
    "import { registerHooks } from 'node:module';",
    'const seen = new Set();',
    'registerHooks({ resolve(specifier, context, next) {',
    '  const result = next(specifier, context);',
    "  const match = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(result.url);",
    "  if (match && !seen.has(match[1])) { seen.add(match[1]); process.stderr.write(`LOADED ${match[1]}\\n`); }",
    '  return result;',
    '} });',
  ].join('\n'),
);

async function tenure(args: string[]): Promise<{ code: number; stdout: string; stderr: string; packages: string[] }> {
  const env = { ...process.env, NODE_OPTIONS: `--import=${hook}` };
  let outcome: { code: number; stdout: string; stderr: string };
  try {
    // The timeout only stops a hang from blocking the suite.
    const { stdout, stderr } = await exec(process.execPath, ['bin/tenure.js', ...args], { env, timeout: 60_000 });
    outcome = { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    outcome = { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
  const packages = [...outcome.stderr.matchAll(/^LOADED (\S+)$/gm)].map((m) => m[1] as string);
  return { ...outcome, stderr: outcome.stderr.replace(/^LOADED \S+\n/gm, ''), packages };
}

const HEAVY = ['@temporalio/worker', '@temporalio/workflow', '@temporalio/client', '@temporalio/core-bridge', 'fastify', 'kysely', 'pg', 'undici', 'pino'];

describe('tenure', () => {
  it('prints its version with --version and -V', async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const result = await tenure([flag]);
      expect(result.code).toBe(0);
      expect(result.stdout.trim()).toBe(version);
    }
  });

  it('--help lists every command with its description, loading none of them', async () => {
    const result = await tenure(['--help']);
    expect(result.code).toBe(0);
    const listed = [...result.stdout.matchAll(/^ {2}([a-z]+)(?: \[command\])? {2,}/gm)].map((m) => m[1]);
    expect(listed).toEqual([...COMMANDS.map((c) => c.name), 'help']);
    expect(result.packages).toEqual(['commander']);
  });

  it('a command\'s own --help shows its options', async () => {
    const result = await tenure(['audit', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: tenure audit');
    expect(result.stdout).toContain('--employee');
  });

  it('a mistyped command gets the nearest one and exit code 1, not the whole help', async () => {
    for (const args of [['validat'], ['help', 'runz']]) {
      const result = await tenure(args);
      expect(result.code).toBe(1);
      expect(result.stderr.trimEnd().split('\n')).toEqual([`error: unknown command '${args.at(-1)}'`, `(Did you mean ${args[0] === 'help' ? 'runs' : 'validate'}?)`, '(`tenure --help` lists the commands)']);
      expect(result.stdout).toBe('');
      expect(result.packages).toEqual(['commander']);
    }
    const nothingNear = await tenure(['zzzz']);
    expect([nothingNear.code, nothingNear.stderr]).toEqual([1, "error: unknown command 'zzzz'\n(`tenure --help` lists the commands)\n"]);
  });

  it('a mistyped subcommand of runs names show; a wrong option points to the command\'s --help', async () => {
    const sub = await tenure(['runs', 'shwo', 'onboard-openai/E-1/evt_1']);
    expect(sub.code).toBe(1);
    expect(sub.stderr).toContain("error: unknown command 'shwo' for 'tenure runs'\n(Did you mean show?");
    expect(sub.stderr).not.toContain('Options:');
    const option = await tenure(['runs', 'show', 'x', '--jsno']);
    expect(option.code).toBe(1);
    expect(option.stderr).toContain("error: unknown option '--jsno'\n(Did you mean --json?)\n(`tenure runs show --help` shows how to use it)");
  });

  it('validate loads the definition language only: no Temporal, store, server or HTTP client', async () => {
    const result = await tenure(['validate', 'definitions/onboard-openai.yaml']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^1 definition\(s\) valid: onboard-openai v\w{7}$/m);
    expect(result.packages).toEqual(expect.arrayContaining(['commander', 'yaml', 'zod']));
    expect(result.packages.filter((p) => HEAVY.includes(p))).toEqual([]);
  });
});
