import type { Command } from 'commander';
import { formatProblem, loadDefinitions } from '../../dsl/index.ts';
import { config } from '../common.ts';
import { describe } from './index.ts';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description(describe('validate'))
    .argument('[paths...]', 'files or folders (default: TENURE_DEFINITIONS)')
    .option('--json', 'print { plans, problems } as JSON on stdout')
    .action(async (paths: string[], options: { json?: boolean }) => {
      const { plans, problems } = loadDefinitions(paths.length ? paths : [(await config()).definitionsDir]);
      if (problems.length > 0) process.exitCode = 1;
      if (options.json) {
        console.log(JSON.stringify({ valid: problems.length === 0, plans: plans.map((p) => ({ name: p.name, version: p.version, source: p.source })), problems }, null, 2));
        return;
      }
      for (const problem of problems) console.error(formatProblem(problem));
      if (problems.length > 0) console.error(`${problems.length} problem(s)`);
      else console.log(`${plans.length} definition(s) valid: ${plans.map((p) => `${p.name} v${p.version}`).join(', ')}`);
    });
}
