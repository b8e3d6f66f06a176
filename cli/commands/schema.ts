import type { Command } from 'commander';
import { definitionJsonSchema } from '../../dsl/index.ts';

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of the definition language (what tenure.schema.json holds, for editors)')
    .action(() => {
      process.stdout.write(`${JSON.stringify(definitionJsonSchema(), null, 2)}\n`);
    });
}
