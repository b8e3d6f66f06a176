import type { Command } from 'commander';
import { newPayloadKeyEntry, PayloadKeysError } from '../../codec/index.ts';
import { CliError } from '../common.ts';
import { describe } from './index.ts';

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description(describe('keys'));
  keys
    .command('new')
    .description('print a new payload key as id:base64key (32 random bytes), for TENURE_PAYLOAD_KEYS')
    .option('--id <id>', 'the key id kept in each payload (letters, digits, . _ -); default k<today>')
    .action((options: { id?: string }) => {
      let entry: string;
      try {
        entry = newPayloadKeyEntry(options.id);
      } catch (error) {
        if (error instanceof PayloadKeysError) throw new CliError(error.message);
        throw error;
      }
      console.log(entry);
      console.error(
        [
          '',
          'Set TENURE_PAYLOAD_KEYS to this value for every worker, trigger server and tenure command of the deployment,',
          'and keep it in your secret store: payloads encrypted with it cannot be read without it.',
          'To rotate, put the new key first and keep the old ones after it (TENURE_PAYLOAD_KEYS=new,old) until',
          'the runs started under them have closed.',
        ].join('\n'),
      );
    });
}
