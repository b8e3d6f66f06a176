/**
 * The `tenure` command. Every subcommand has --help, exits non-zero on failure and
 * prints errors a person can act on. Each subcommand lives in commands/<name>.ts and is
 * loaded only when it runs (commands/index.ts lists them), so `tenure --help` and
 * `tenure validate` answer without loading Temporal, the store or the servers.
 */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { COMMANDS } from './commands/index.ts';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/** Errors whose message is the whole story: printed without a stack trace. */
const EXPECTED_ERRORS = ['CliError', 'ConfigError', 'ToolNotFoundError', 'DevServerError', 'StoreError'];

async function isExpected(error: unknown): Promise<boolean> {
  if (!(error instanceof Error)) return false;
  if (EXPECTED_ERRORS.includes(error.name)) return true;
  // Subclasses with names of their own (StoreUnavailableError…); loaded only on failure.
  const { StoreError } = await import('../store/index.ts');
  return error instanceof StoreError;
}

const program = new Command()
  .name('tenure')
  .description('HR lifecycle events to durable, auditable OpenAI organization access, on Temporal.')
  .version(version, '-V, --version', 'print the version')
  // A mistake gets its error, commander's nearest-name suggestion and where help is, not the whole help.
  .showHelpAfterError('(`tenure --help` lists the commands)')
  .showSuggestionAfterError()
  // Options after a command name are that command's: `tenure runs show <id> --json` is show's --json, not the list's.
  .enablePositionalOptions();

const [first, second] = process.argv.slice(2);
const chosen = COMMANDS.find((c) => c.name === (first === 'help' ? second : first));
if (chosen) (await chosen.load())(program);
// No command named: `--help` lists them all, and a mistyped name gets commander's suggestion.
else for (const { name, description } of COMMANDS) program.command(name).description(description);
pointToHelp(program.commands, 'tenure');

/** Each command's errors point to its own --help. */
function pointToHelp(commands: readonly Command[], parent: string): void {
  for (const command of commands) {
    const path = `${parent} ${command.name()}`;
    command.showHelpAfterError(`(\`${path} --help\` shows how to use it)`);
    pointToHelp(command.commands, path);
  }
}

// `tenure help <mistyped>` answers as `tenure <mistyped>` does (a suggestion), not with the whole help.
const argv = first === 'help' && second !== undefined && !chosen && !second.startsWith('-') ? [...process.argv.slice(0, 2), second] : process.argv;

try {
  await program.parseAsync(argv);
} catch (error) {
  if (await isExpected(error)) console.error(`tenure: ${(error as Error).message}`);
  else console.error(error);
  process.exitCode = 1;
}
