import type { Command } from 'commander';
import { formatProblem, loadDefinitions } from '../../dsl/index.ts';
import { config } from '../common.ts';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check definition files; prints every problem as file:line:col: CODE message')
    .argument('[paths...]', 'files or folders (default: TENURE_DEFINITIONS)')
    .action((paths: string[]) => {
      const cfg = config();
      const { plans, problems } = loadDefinitions(paths.length ? paths : [cfg.definitionsDir]);
      for (const problem of problems) console.error(formatProblem(problem));
      if (problems.length > 0) {
        console.error(`${problems.length} problem(s)`);
        process.exitCode = 1;
      } else console.log(`${plans.length} definition(s) valid: ${plans.map((p) => `${p.name} v${p.version}`).join(', ')}`);
    });
}
