import { InvalidArgumentError, type Command } from 'commander';
import { existsSync } from 'node:fs';
import { maskEmail } from '../../logging/index.ts';
import { Store } from '../../store/index.ts';
import { explainRun, overviewRuns, RUNS_PAGE } from '../../triggers/index.ts';
import { RUN_STATUSES } from '../../workflows/shared.ts';
import { config } from '../common.ts';
import { runDetails, runsList } from '../render.ts';
import { withTemporal } from './temporal-client.ts';
import { describe } from './index.ts';

interface RunsOptions {
  employee?: string;
  status?: string;
  definition?: string;
  source?: string;
  limit: number;
  json?: boolean;
}

function limit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > RUNS_PAGE.max) throw new InvalidArgumentError(`a whole number from 1 to ${RUNS_PAGE.max}`);
  return n;
}

function status(value: string): string {
  if (!(RUN_STATUSES as readonly string[]).includes(value)) throw new InvalidArgumentError(`one of ${RUN_STATUSES.join(', ')}`);
  return value;
}

/**
 * The results store, when there is one to read: a SQLite file that does not exist yet is
 * not created, and a store that cannot be opened is a note on stderr, not a failure —
 * runs are listed from Temporal whatever the store's state.
 */
async function openStore(): Promise<Store | undefined> {
  const cfg = await config();
  if (cfg.store.kind === 'sqlite' && !existsSync(cfg.store.file)) return undefined;
  try {
    return await Store.open(cfg.store);
  } catch (error) {
    console.error(`tenure: note: the results store cannot be read (${(error as Error).message}); emails are shown as -`);
    return undefined;
  }
}

export function registerRuns(program: Command): void {
  const runs = program
    .command('runs')
    .description(describe('runs'))
    .option('--employee <id>', 'only this HR employee id')
    .option('--status <status>', `only runs in this status: ${RUN_STATUSES.join(', ')}`, status)
    .option('--definition <name>', 'only runs of this definition')
    .option('--source <name>', 'only events from this HR source')
    .option('--limit <n>', `at most this many runs, the newest (1-${RUNS_PAGE.max})`, limit, RUNS_PAGE.default)
    .option('--json', 'a JSON array of runs, each with email (masked), currentStep, waitingUntil, waiting and attention')
    .addHelpText(
      'after',
      [
        '',
        'Columns: STATUS, RUN (the workflow id), EMAIL (masked, from the results store\'s identity map; - when unknown),',
        'DEFINITION, EVENT, STARTED, CLOSED, REASON (what a waiting run waits for, why a parked one stopped).',
        'At a terminal a table; piped, a header line and tab-separated lines. Waiting and parked runs are asked',
        'their status query (a worker must be running), 4 at a time, within 5 seconds.',
        '',
        '`tenure runs show <workflowId>` explains one run.',
      ].join('\n'),
    )
    // `tenure runs shwo <id>` is a mistyped subcommand, not extra arguments of the list.
    .allowExcessArguments()
    // With the program's positional options (cli/main.ts): `runs show <id> --json` is show's --json.
    .enablePositionalOptions()
    .action(async (options: RunsOptions, command: Command) => {
      const [extra] = command.args;
      if (extra !== undefined) command.error(`error: unknown command '${extra}' for 'tenure runs'\n(Did you mean show? \`tenure runs show <workflowId>\` explains one run)`);
      const store = await openStore();
      try {
        const { runs: listed, problems } = await withTemporal((client) =>
          overviewRuns(
            client,
            {
              ...(options.employee !== undefined ? { employee: options.employee } : {}),
              ...(options.status !== undefined ? { status: options.status } : {}),
              ...(options.definition !== undefined ? { definition: options.definition } : {}),
              ...(options.source !== undefined ? { source: options.source } : {}),
              limit: options.limit,
            },
            store ? { emails: store } : {},
          ),
        );
        for (const problem of problems) console.error(`tenure: note: ${problem}`);
        if (options.json) return console.log(JSON.stringify(listed, null, 2));
        if (listed.length === 0 && process.stdout.isTTY) return console.log('no runs match');
        process.stdout.write(runsList(listed, process.stdout));
        if (process.stdout.isTTY) {
          console.log(`${listed.length} run${listed.length === 1 ? '' : 's'}, newest first${listed.length === options.limit ? ` (the newest ${options.limit}; --limit shows more)` : ''}`);
        }
      } finally {
        await store?.close();
      }
    });

  runs
    .command('show')
    .description('explain one run: its steps and outcomes, what it waits for and until when, why it is parked and the command that goes on, how it ended, its Temporal UI link')
    .argument('<workflowId>', 'the run, e.g. onboard-openai/E-1001/evt_1 (see `tenure runs`)')
    .option('--json', 'the explanation as JSON')
    .action(async (workflowId: string, options: { json?: boolean }) => {
      const cfg = await config();
      const store = await openStore();
      try {
        const explained = await withTemporal((client) => explainRun(client, workflowId, { uiUrl: cfg.temporal.uiUrl, namespace: cfg.temporal.namespace, ...(store ? { audit: store } : {}) }));
        const { source, employeeId } = explained.run;
        let email: string | null = null;
        if (store && source !== null && employeeId !== null) {
          const found = (await store.emailsOf([{ source, employeeId }])).get(`${source}/${employeeId}`);
          email = found === undefined ? null : maskEmail(found);
        }
        if (options.json) return console.log(JSON.stringify({ ...explained, email }, null, 2));
        process.stdout.write(runDetails(explained, email, process.stdout));
      } finally {
        await store?.close();
      }
    });
}
