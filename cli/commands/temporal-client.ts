import { Client, Connection } from '@temporalio/client';
import { RunOperationError } from '../../triggers/index.ts';
import { CliError, config } from '../common.ts';

/**
 * Runs `fn` with a Temporal client from the configuration (TEMPORAL_ADDRESS etc., else
 * the embedded dev server's address), turning refusals into errors a person can act on.
 */
export async function withTemporal<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const cfg = config();
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...cfg.temporal.connection(), connectTimeout: 5_000 });
  } catch (error) {
    throw new CliError(`cannot reach Temporal at ${cfg.temporal.address}: ${(error as Error).message}. Is \`npm start\` running (or TEMPORAL_ADDRESS set)?`);
  }
  try {
    return await fn(new Client({ connection, namespace: cfg.temporal.namespace }));
  } catch (error) {
    if (error instanceof RunOperationError) throw new CliError(`${error.message} [${error.code}]`);
    throw error;
  } finally {
    await connection.close();
  }
}
