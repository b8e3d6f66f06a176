import type { Payload, PayloadCodec } from '@temporalio/common';
import { METADATA_ENCODING_KEY } from '@temporalio/common';
// CommonJS: its named exports are not visible to an ES module import.
import proto from '@temporalio/proto';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { PayloadKeys } from './keys.ts';

/** `encoding` of an encrypted payload; its `data` is nonce ‖ ciphertext ‖ tag. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** Metadata naming the key a payload is encrypted with. */
export const KEY_ID_METADATA = 'encryption-key-id';
/** Metadata naming the cipher and Tenure's framing, so a future format can be told apart. */
export const CIPHER_METADATA = 'encryption-cipher';
const CIPHER = 'AES-256-GCM/tenure-1';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Payloads smaller than this are not worth a deflate attempt. */
const COMPRESS_FROM_BYTES = 256;
/** First byte of the plaintext: how the serialized payload that follows is stored. */
const FORMAT = { raw: 0, deflate: 1 } as const;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A payload could not be decrypted: unknown key, tampered or truncated. The message names the key id only. */
export class PayloadDecryptionError extends Error {
  override readonly name = 'PayloadDecryptionError';
}

/**
 * Encrypts every payload with AES-256-GCM under the first of `keys` (a fresh 96-bit nonce
 * per payload, the key id in the clear in the metadata and bound to the ciphertext as
 * associated data); the whole payload, metadata included, is serialized, deflated when that
 * makes it smaller, and encrypted. Decodes with whichever key the payload names, so runs
 * started under an older key keep working while it is still listed. Decoding passes
 * payloads that are not encrypted through untouched, so histories written before
 * encryption was turned on stay readable.
 */
export class EncryptionCodec implements PayloadCodec {
  readonly #keys: PayloadKeys;

  constructor(keys: PayloadKeys) {
    this.#keys = keys;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.#encrypt(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.#decrypt(payload));
  }

  #encrypt(payload: Payload): Payload {
    const { id, key } = this.#keys.current;
    const serialized = proto.temporal.api.common.v1.Payload.encode(payload).finish();
    let format: number = FORMAT.raw;
    let body: Uint8Array = serialized;
    if (serialized.length >= COMPRESS_FROM_BYTES) {
      const deflated = deflateRawSync(serialized);
      if (deflated.length < serialized.length) [format, body] = [FORMAT.deflate, deflated];
    }
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(associatedData(id));
    const ciphertext = Buffer.concat([cipher.update(Uint8Array.of(format)), cipher.update(body), cipher.final()]);
    return {
      metadata: {
        [METADATA_ENCODING_KEY]: encoder.encode(ENCRYPTED_ENCODING),
        [KEY_ID_METADATA]: encoder.encode(id),
        [CIPHER_METADATA]: encoder.encode(CIPHER),
      },
      data: Buffer.concat([nonce, ciphertext, cipher.getAuthTag()]),
    };
  }

  #decrypt(payload: Payload): Payload {
    const metadata = payload.metadata ?? {};
    const encoding = metadata[METADATA_ENCODING_KEY];
    if (!encoding || decoder.decode(encoding) !== ENCRYPTED_ENCODING) return payload;
    const id = decoder.decode(metadata[KEY_ID_METADATA] ?? new Uint8Array());
    const cipherName = metadata[CIPHER_METADATA] ? decoder.decode(metadata[CIPHER_METADATA]) : CIPHER;
    if (cipherName !== CIPHER) throw new PayloadDecryptionError(`payload encrypted with an unknown scheme '${cipherName.slice(0, 40)}'`);
    const entry = this.#keys.find(id);
    if (!entry) {
      throw new PayloadDecryptionError(
        `payload encrypted with key '${id.slice(0, 64)}', which TENURE_PAYLOAD_KEYS does not hold (it holds ${this.#keys.ids.join(', ')}); add that key back after the new one`,
      );
    }
    const data = payload.data ?? new Uint8Array();
    if (data.length < NONCE_BYTES + 1 + TAG_BYTES) throw new PayloadDecryptionError(`encrypted payload (key '${id}') is truncated`);
    let plaintext: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-gcm', entry.key, data.subarray(0, NONCE_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAAD(associatedData(id));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      plaintext = Buffer.concat([decipher.update(data.subarray(NONCE_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(`encrypted payload (key '${id}') does not authenticate: it was altered, or the key with that id is not the one it was encrypted with`);
    }
    if (plaintext[0] !== FORMAT.raw && plaintext[0] !== FORMAT.deflate) throw new PayloadDecryptionError(`encrypted payload (key '${id}') has an unknown format`);
    const body = plaintext.subarray(1);
    const serialized = plaintext[0] === FORMAT.deflate ? inflateRawSync(body) : body;
    return proto.temporal.api.common.v1.Payload.decode(serialized);
  }
}

function associatedData(keyId: string): Uint8Array {
  return encoder.encode(`${CIPHER}:${keyId}`);
}
