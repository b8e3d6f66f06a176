import type { Command } from 'commander';
import { definitionJsonSchema } from '../../dsl/index.ts';
import { describe } from './index.ts';

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description(describe('schema'))
    .action(() => {
      process.stdout.write(`${JSON.stringify(definitionJsonSchema(), null, 2)}\n`);
    });
}
