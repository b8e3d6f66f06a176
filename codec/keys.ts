import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';

/** A payload key's id: what the payload's metadata names, so any holder of the key can find it. */
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** AES-256: 32 bytes of key. */
export const KEY_BYTES = 32;

/** TENURE_PAYLOAD_KEYS is malformed. The message names the entry and never quotes key material. */
export class PayloadKeysError extends Error {
  override readonly name = 'PayloadKeysError';
}

/** One AES-256 key and its id. The key is a `KeyObject`, which prints no key material. */
export interface PayloadKey {
  readonly id: string;
  readonly key: KeyObject;
}

/**
 * The payload keys in force: the first encrypts, every one decrypts, so a new key can be put
 * first while runs started under the old one finish. Prints as its ids only.
 */
export class PayloadKeys {
  readonly #keys: readonly PayloadKey[];

  constructor(keys: readonly PayloadKey[]) {
    if (keys.length === 0) throw new PayloadKeysError('no payload key given');
    this.#keys = keys;
  }

  /** The key new payloads are encrypted with. */
  get current(): PayloadKey {
    return this.#keys[0]!;
  }

  get ids(): string[] {
    return this.#keys.map((k) => k.id);
  }

  find(id: string): PayloadKey | undefined {
    return this.#keys.find((k) => k.id === id);
  }

  toJSON(): string {
    return `[payload keys ${this.ids.join(', ')}]`;
  }

  toString(): string {
    return this.toJSON();
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toJSON();
  }
}

/**
 * Parses `id:base64key[,id:base64key…]` (commas or whitespace between entries). Each key is
 * 32 random bytes in base64 or base64url; ids are letters, digits, `.`, `_`, `-`, unique.
 * `name` is the variable the text came from, for messages.
 */
export function parsePayloadKeys(text: string, name = 'TENURE_PAYLOAD_KEYS'): PayloadKeys {
  const entries = text.split(/[\s,]+/).filter(Boolean);
  const hint = 'make one with `tenure keys new`';
  if (entries.length === 0) throw new PayloadKeysError(`${name} is empty: give one or more id:base64key entries; ${hint}`);
  const keys: PayloadKey[] = [];
  entries.forEach((entry, index) => {
    const colon = entry.indexOf(':');
    const where = `${name} entry ${index + 1}`;
    if (colon < 0) throw new PayloadKeysError(`${where} has no id: write it as id:base64key (for example k2026-12:…); ${hint}`);
    const id = entry.slice(0, colon);
    if (!KEY_ID.test(id)) throw new PayloadKeysError(`${where}: the id must be 1 to 64 letters, digits, '.', '_' or '-'`);
    if (keys.some((k) => k.id === id)) throw new PayloadKeysError(`${where}: the id '${id}' is given twice; each key needs its own id`);
    const encoded = entry.slice(colon + 1);
    const bytes = /^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded) ? Buffer.from(encoded, 'base64') : Buffer.alloc(0);
    if (bytes.length !== KEY_BYTES) {
      throw new PayloadKeysError(`${where} (id '${id}'): the key must be ${KEY_BYTES} bytes in base64 (${bytes.length === 0 ? 'it is not base64' : `it decodes to ${bytes.length} bytes`}); ${hint}`);
    }
    keys.push({ id, key: createSecretKey(bytes) });
  });
  return new PayloadKeys(keys);
}

/** A fresh key entry, `id:base64key`, from the system's CSPRNG. The default id is `k` and today's date. */
export function newPayloadKeyEntry(id = `k${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`): string {
  if (!KEY_ID.test(id)) throw new PayloadKeysError(`key id '${id.slice(0, 80)}' must be 1 to 64 letters, digits, '.', '_' or '-'`);
  return `${id}:${randomBytes(KEY_BYTES).toString('base64')}`;
}
