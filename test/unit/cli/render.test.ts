// How the CLI prints runs: boxed tables at a terminal, plain tab-separated or aligned text
// with no ANSI codes when piped; colours as Node's styleText decides for the stream
// (NO_COLOR / FORCE_COLOR are checked in child processes, where the environment is theirs).
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { stripVTControlCharacters } from 'node:util';
import { RUNS_COLUMNS, runDetails, runsList, type Sink } from '../../../cli/render.ts';
import type { RunExplanation, RunOverview } from '../../../triggers/index.ts';

const exec = promisify(execFile);
// An ANSI escape sequence (ESC [).
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[`);
const piped: Sink = { isTTY: false };

const base = {
  runId: 'r1',
  execution: 'RUNNING',
  definitionHash: 'abcdef0123',
  source: 'generic',
  startTime: '2026-11-20T10:00:00.000Z',
  closeTime: null,
  currentStep: null,
  waitingUntil: null,
  waiting: null,
  attention: null,
  detail: 'not-asked',
} as const;

const RUNS: RunOverview[] = [
  {
    ...base,
    workflowId: 'approved-invite/E-1/evt_2',
    status: 'waiting',
    definition: 'approved-invite',
    employeeId: 'E-1',
    eventType: 'contract.renewed',
    email: 'a•••@example.com',
    currentStep: 'ask',
    waitingUntil: '2026-11-21T10:00:00.000Z',
    waiting: { kind: 'approval', step: 'ask', approvers: ['grace@example.com'], until: '2026-11-21T10:00:00.000Z' },
    detail: 'status',
  },
  {
    ...base,
    workflowId: 'promote/E-2/evt_1',
    status: 'needs-attention',
    definition: 'promote',
    employeeId: 'E-2',
    eventType: 'employee.updated',
    email: null,
    currentStep: 'make-owner',
    attention: { step: 'make-owner', kind: 'action', error: { type: 'OPENAI_NOT_A_MEMBER', message: 'not a member' }, since: '2026-11-20T09:00:00.000Z', attempts: 1, skippable: true },
    detail: 'status',
    startTime: '2026-11-20T09:00:00.000Z',
  },
  {
    ...base,
    workflowId: 'onboard/E-3/evt_0',
    status: 'done',
    execution: 'COMPLETED',
    definition: 'onboard',
    employeeId: 'E-3',
    eventType: 'employee.hired',
    email: 'c•••@example.com',
    startTime: '2026-11-19T09:00:00.000Z',
    closeTime: '2026-11-19T09:01:00.000Z',
  },
];

/** A terminal that can show colours (what styleText then does depends on NO_COLOR / FORCE_COLOR). */
const terminal = (): Sink & { getColorDepth(): number; write(): boolean; on(): void; once(): void; emit(): boolean } =>
  Object.assign(Object.create(process.stdout) as object, { isTTY: true, getColorDepth: () => 8 }) as never;

describe('runsList', () => {
  it('piped: a header naming every column, then one tab-separated line per run, no ANSI codes', () => {
    const text = runsList(RUNS, piped);
    expect(text).not.toMatch(ANSI);
    const lines = text.trimEnd().split('\n').map((l) => l.split('\t'));
    expect(lines[0]).toEqual([...RUNS_COLUMNS]);
    expect(lines.every((cells) => cells.length === RUNS_COLUMNS.length)).toBe(true);
    expect(lines[0]!.every((h) => h.length > 0)).toBe(true);
    expect(lines[1]).toEqual([
      'waiting',
      'approved-invite/E-1/evt_2',
      'a•••@example.com',
      'approved-invite abcdef0',
      'contract.renewed',
      '2026-11-20 10:00:00Z',
      '-',
      // Approvers are masked in a list, as the person is.
      "approval 'ask' by g•••@example.com, until 2026-11-21 10:00:00Z",
    ]);
    expect(lines[2]![2]).toBe('-');
    expect(lines[2]![7]).toBe("step 'make-owner' failed: OPENAI_NOT_A_MEMBER");
    expect(lines[3]![6]).toBe('2026-11-19 09:01:00Z');
  });

  it('piped with no runs: the header alone', () => {
    expect(runsList([], piped)).toBe(`${RUNS_COLUMNS.join('\t')}\n`);
  });

  it('at a terminal: a boxed table with the same cells', () => {
    const text = stripVTControlCharacters(runsList(RUNS, terminal()));
    expect(text).toMatch(/^┌/);
    for (const header of RUNS_COLUMNS) expect(text).toContain(header);
    expect(text).toContain('promote/E-2/evt_1');
    expect(text).toContain("step 'make-owner' failed: OPENAI_NOT_A_MEMBER");
  });
});

const PARKED: RunExplanation = {
  run: { ...RUNS[1]!, runId: 'r2' },
  state: null,
  stepsFrom: 'status',
  steps: [{ id: 'make-owner', kind: 'action', outcome: 'failed', detail: 'OPENAI_NOT_A_MEMBER: not a member' }],
  currentStep: 'make-owner',
  waiting: null,
  attention: RUNS[1]!.attention,
  fixes: [
    { decision: 'retry', command: "tenure retry promote/E-2/evt_1 --reason '<why>'" },
    { decision: 'skip', command: "tenure skip promote/E-2/evt_1 --reason '<why>'" },
    { decision: 'abort', command: "tenure abort promote/E-2/evt_1 --reason '<why>'" },
  ],
  ended: null,
  unanswered: null,
  temporalUi: 'http://127.0.0.1:8233/namespaces/default/workflows/promote%2FE-2%2Fevt_1',
};

describe('runDetails', () => {
  it('piped: labelled lines, the parked step with its typed reason, the commands, the link; no ANSI codes', () => {
    const text = runDetails(PARKED, null, piped);
    expect(text).not.toMatch(ANSI);
    const lines = text.split('\n');
    expect(lines).toContain('status      needs-attention (Temporal: running)');
    expect(lines).toContain("parked      step 'make-owner' (action) failed with OPENAI_NOT_A_MEMBER, since 2026-11-20 09:00:00Z, 1 try");
    expect(lines).toContain("to go on    tenure retry promote/E-2/evt_1 --reason '<why>'");
    expect(lines).toContain("            tenure skip promote/E-2/evt_1 --reason '<why>'");
    expect(lines).toContain('temporal    http://127.0.0.1:8233/namespaces/default/workflows/promote%2FE-2%2Fevt_1');
    expect(lines).toContain('  make-owner  action  failed   OPENAI_NOT_A_MEMBER: not a member');
  });

  it('a closed run: how it ended, and where its steps were read', () => {
    const closed: RunExplanation = {
      ...PARKED,
      run: { ...PARKED.run, execution: 'FAILED', status: 'failed', closeTime: '2026-11-20T11:00:00.000Z' },
      stepsFrom: 'audit',
      attention: null,
      fixes: [],
      currentStep: null,
      ended: { execution: 'FAILED', status: 'failed', failure: { type: 'RUN_ABORTED', message: 'aborted by ops' }, skipped: null, supersededBy: null },
    };
    const text = runDetails(closed, 'e•••@example.com', piped);
    expect(text).toContain('ended       failed — RUN_ABORTED: aborted by ops');
    expect(text).toContain('person      E-2 (generic) e•••@example.com');
    expect(text).toContain('steps       (from the audit log)');
    expect(text).not.toContain('to go on');
  });

  it('at a terminal: the steps as a boxed table', () => {
    const text = stripVTControlCharacters(runDetails(PARKED, null, terminal()));
    expect(text).toMatch(/┌─+┬/);
    expect(text).toContain('OPENAI_NOT_A_MEMBER: not a member');
  });
});

describe('colours follow the environment, for a terminal only', () => {
  // A child process whose stdout is "a terminal" (a pipe dressed as one: isTTY, and a real
  // terminal's colour depth, which reads NO_COLOR, FORCE_COLOR and TERM), printing the list.
  const script = [
    "import { runsList } from './cli/render.ts';",
    "import { WriteStream } from 'node:tty';",
    "Object.defineProperty(process.stdout, 'isTTY', { value: true });",
    'process.stdout.getColorDepth = WriteStream.prototype.getColorDepth;',
    `process.stdout.write(runsList(${JSON.stringify(RUNS)}, process.stdout));`,
  ].join('\n');
  // Only what the test sets: Node's colour depth also reads CI, TMUX, COLORTERM, TEAMCITY_VERSION and
  // others (CI=1 alone means two colours), so the surrounding environment is not passed on.
  const run = async (env: Record<string, string>) =>
    (await exec(process.execPath, ['--input-type=module', '-e', script], { env: { PATH: process.env.PATH ?? '', TERM: 'xterm-256color', ...env } })).stdout;

  it('a colour terminal gets colours, FORCE_COLOR=1 too; NO_COLOR=1 prints none', async () => {
    const [plain, forced, none] = await Promise.all([run({}), run({ FORCE_COLOR: '1' }), run({ NO_COLOR: '1' })]);
    expect(plain).toMatch(ANSI);
    expect(forced).toMatch(ANSI);
    expect(forced).toContain('\u001b[33mwaiting');
    expect(none).not.toMatch(ANSI);
    expect(stripVTControlCharacters(forced)).toBe(none);
  });
});
