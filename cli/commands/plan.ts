import { Option, type Command } from 'commander';
import { readFileSync } from 'node:fs';
import { dryRun, formatProblem, loadDefinitions, type DryRun, type DryRunStep } from '../../dsl/index.ts';
import { hrEventSchema } from '../../events/index.ts';
import { CliError, config } from '../common.ts';
import { describe } from './index.ts';

function describeStep(step: DryRunStep, now: number): string {
  const label = `${step.id}`.padEnd(22);
  const maybe = step.conditional ? ' (if the run takes this branch)' : '';
  const failed = step.error ? `   ! ${step.error}` : '';
  switch (step.kind) {
    case 'action':
      return `${label} ${step.action} ${JSON.stringify(step.input)}${maybe}${failed}`;
    case 'wait': {
      if (!step.until) return `${label} wait: cannot compute the end${failed}`;
      const when = step.immediate ? 'already passed: goes on at once' : `in ${humanDuration(Date.parse(step.until) - now)}`;
      return `${label} wait until ${step.until} (${step.zone}) — ${when}${maybe}`;
    }
    case 'if':
      return `${label} if ${step.condition} → ${step.branch === 'undecided' ? 'decided at run time (reads a step output)' : step.branch}${maybe}`;
    case 'approval':
      return `${label} approval by ${(step.approvers ?? []).join(', ')}, by ${step.timeoutAt} or ${step.onTimeout} — assumed ${step.assumed}${maybe}`;
  }
}

function humanDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.round(hours / 24)} days`;
}

function print(result: DryRun, now: number): void {
  const e = result.event;
  console.log(`Event ${e.id} ${e.type} for ${e.employeeId} <${e.email}>, as if delivered at ${result.now}`);
  if (result.matched.length === 0) console.log('\nNo definition matches: nothing would run.');
  for (const plan of result.matched) {
    console.log(`\n${plan.name} v${plan.version} (${plan.source}) matches → run ${plan.runId}`);
    plan.steps.forEach((step) => console.log(`  ${'  '.repeat(step.depth)}- ${describeStep(step, now)}`));
  }
  if (result.notMatched.length > 0) {
    console.log('\nNot matching:');
    for (const skip of result.notMatched) console.log(`  ${skip.name}: ${skip.reason}`);
  }
  console.log('\nDry run: nothing was sent to OpenAI, Temporal or the results store.');
}

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description(describe('plan'))
    .argument('[file]', 'JSON file holding one HrEvent (as `tenure send <file>` takes it)')
    // The former way to name the file; kept so that scripts written for it go on working.
    .addOption(new Option('-e, --event <file>', 'deprecated: give the file as the argument').hideHelp())
    .option('-d, --definitions <paths...>', 'definition files or folders (default: TENURE_DEFINITIONS)')
    .option('--now <time>', 'pretend the event arrives at this ISO 8601 time (default: now)')
    .option('--reject-approvals', 'assume approval steps are rejected (default: approved)')
    .option('--json', 'print the dry run as JSON')
    .action(async (argument: string | undefined, options: { event?: string; definitions?: string[]; now?: string; rejectApprovals?: boolean; json?: boolean }) => {
      if (argument !== undefined && options.event !== undefined) throw new CliError(`give the event file once: \`tenure plan ${argument}\` (--event is the deprecated way)`);
      const file = argument ?? options.event;
      if (file === undefined) throw new CliError('which event? `tenure plan <file>`, where the file holds one HrEvent (see examples/)');
      if (options.event !== undefined) console.error(`tenure: note: --event is deprecated; give the file as the argument: tenure plan ${file}`);
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(file, 'utf8'));
      } catch (error) {
        throw new CliError(`cannot read the event ${file}: ${(error as Error).message}`);
      }
      const parsed = hrEventSchema.safeParse(raw);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(event)'}: ${i.message}`).join('\n');
        throw new CliError(`${file} is not an HrEvent:\n${issues}`);
      }
      const now = options.now === undefined ? Date.now() : Date.parse(options.now);
      if (Number.isNaN(now)) throw new CliError(`--now ${options.now} is not an ISO 8601 time, e.g. 2026-11-20T09:00:00Z`);

      const { plans, problems } = loadDefinitions(options.definitions ?? [(await config()).definitionsDir]);
      for (const problem of problems) console.error(formatProblem(problem));
      if (problems.length > 0) console.error(`${problems.length} problem(s): those definitions are left out of the dry run`);
      const result = dryRun(plans, parsed.data, { now, approvals: options.rejectApprovals ? 'reject' : 'approve' });
      if (options.json) console.log(JSON.stringify(result, null, 2));
      else print(result, now);
      if (problems.length > 0) process.exitCode = 1;
    });
}
