import { Client, Connection } from '@temporalio/client';
import { tenureDataConverter } from '../../codec/index.ts';
import { requirePayloadKeys } from '../../config/index.ts';
import { sandboxConfig } from '../../devstack/index.ts';
import { RunOperationError } from '../../triggers/index.ts';
import { CliError, config } from '../common.ts';

/**
 * Runs `fn` with a Temporal client from the configuration (TEMPORAL_ADDRESS etc., else
 * the embedded dev server's address), turning refusals into errors a person can act on.
 */
export async function withTemporal<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const cfg = sandboxConfig(await config());
  // Queries answer and signals carry payloads, encrypted like everything else.
  const dataConverter = tenureDataConverter(requirePayloadKeys(cfg));
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...cfg.temporal.connection(), connectTimeout: 5_000 });
  } catch (error) {
    throw new CliError(`cannot reach Temporal at ${cfg.temporal.address}: ${(error as Error).message}. Is \`npm start\` running (or TEMPORAL_ADDRESS set)?`);
  }
  try {
    return await fn(new Client({ connection, namespace: cfg.temporal.namespace, dataConverter }));
  } catch (error) {
    if (error instanceof RunOperationError) throw new CliError(`${error.message} [${error.code}]`);
    throw error;
  } finally {
    await connection.close();
  }
}
