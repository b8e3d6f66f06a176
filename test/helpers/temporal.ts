import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { quietTemporalRuntime } from '../../workers/index.ts';
import { TEST_DATA_CONVERTER } from './payload-keys.ts';

/** The dev server the global setup started. */
export function temporalAddress(): string {
  const address = process.env.TENURE_TEST_TEMPORAL_ADDRESS;
  if (!address) throw new Error('TENURE_TEST_TEMPORAL_ADDRESS is unset: run the tests through jest (npm test), whose global setup starts Temporal');
  return address;
}

export interface TestTemporal {
  client: Client;
  nativeConnection: NativeConnection;
  close(): Promise<void>;
}

export async function connectTemporal(): Promise<TestTemporal> {
  quietTemporalRuntime('WARN');
  const address = temporalAddress();
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  return {
    // Encrypting, as the product's clients are (workers get TEST_PAYLOAD_KEYS).
    client: new Client({ connection, dataConverter: TEST_DATA_CONVERTER }),
    nativeConnection,
    async close() {
      await nativeConnection.close();
      await connection.close();
    },
  };
}

/** A task queue of its own for each test, so tests never take each other's tasks. */
export function uniqueTaskQueue(prefix = 'test'): string {
  return `${prefix}-${randomUUID()}`;
}
