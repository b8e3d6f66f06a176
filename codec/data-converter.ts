import type { DataConverter } from '@temporalio/common';
import { fileURLToPath } from 'node:url';
import { EncryptionCodec } from './encryption.ts';
import type { PayloadKeys } from './keys.ts';

/**
 * The failure converter's module, for `bundleWorkflowCode({ failureConverterPath })` and the
 * worker: it moves failure messages and stack traces into an (encrypted) payload. CommonJS,
 * because the SDK loads it with `require`.
 */
export const FAILURE_CONVERTER_PATH = fileURLToPath(new URL('./failure-converter.cjs', import.meta.url));

/**
 * The data converter of every Temporal client and worker Tenure makes: payloads encrypted
 * with `keys` (see {@link EncryptionCodec}), failure messages encrypted with them.
 *
 *   new Client({ connection, dataConverter: tenureDataConverter(keys) });
 *   Worker.create({ …, dataConverter: tenureDataConverter(keys) });
 */
export function tenureDataConverter(keys: PayloadKeys): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(keys)], failureConverterPath: FAILURE_CONVERTER_PATH };
}
