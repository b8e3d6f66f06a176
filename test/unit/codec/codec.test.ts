import { describe, expect, it } from '@jest/globals';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import proto from '@temporalio/proto';
import { inspect } from 'node:util';
import { EncryptionCodec, KEY_ID_METADATA, newPayloadKeyEntry, parsePayloadKeys, PayloadDecryptionError, PayloadKeysError } from '../../../codec/index.ts';
import { ConfigError, loadConfig, requirePayloadKeys } from '../../../config/index.ts';

const A = newPayloadKeyEntry('a');
const B = newPayloadKeyEntry('b');
const keyMaterial = (entry: string) => entry.slice(entry.indexOf(':') + 1);
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');
const record = { id: 'E-1', email: 'ada.lovelace@example.com', firstName: 'Ada', lastName: 'Lovelace', manager: { email: 'grace@example.com' } };
const payload = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);

describe('the encryption codec', () => {
  it('round-trips payloads, and nothing of the value or its JSON encoding is readable in between', async () => {
    const codec = new EncryptionCodec(parsePayloadKeys(A));
    const [encoded] = await codec.encode([payload(record)]);
    expect(text(encoded!.metadata!.encoding)).toBe('binary/encrypted');
    expect(text(encoded!.metadata![KEY_ID_METADATA])).toBe('a');
    const wire = `${text(encoded!.data)}${Object.values(encoded!.metadata!).map(text).join('')}`;
    for (const secret of ['ada.lovelace', 'Lovelace', 'grace@', 'json/plain']) expect(wire).not.toContain(secret);
    const [decoded] = await codec.decode([encoded!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(record);
    expect(text(decoded!.metadata!.encoding)).toBe('json/plain');
  });

  it('uses a fresh nonce for every payload, so equal values encrypt differently', async () => {
    const codec = new EncryptionCodec(parsePayloadKeys(A));
    const [one, two] = await codec.encode([payload(record), payload(record)]);
    expect(Buffer.from(one!.data!).equals(Buffer.from(two!.data!))).toBe(false);
    expect(Buffer.from(one!.data!).subarray(0, 12).equals(Buffer.from(two!.data!).subarray(0, 12))).toBe(false);
  });

  it('compresses where it pays: a large repetitive payload is stored smaller than it is', async () => {
    const codec = new EncryptionCodec(parsePayloadKeys(A));
    const big = payload({ steps: Array.from({ length: 200 }, (_, i) => ({ id: `step-${i}`, outcome: 'created', email: record.email })) });
    const [encoded] = await codec.encode([big]);
    expect(encoded!.data!.length).toBeLessThan(big.data!.length / 5);
    expect(defaultPayloadConverter.fromPayload((await codec.decode([encoded!]))[0]!)).toEqual(defaultPayloadConverter.fromPayload(big));
    // A tiny one is not deflated: 1 format byte, 12 of nonce and 16 of tag on top of the serialized payload.
    const small = payload('x');
    const [tiny] = await codec.encode([small]);
    expect(tiny!.data!.length).toBe(proto.temporal.api.common.v1.Payload.encode(small).finish().length + 1 + 12 + 16);
  });

  it('decrypts with any listed key, so a key can rotate under runs in flight; an unlisted key is named, never revealed', async () => {
    const underA = await new EncryptionCodec(parsePayloadKeys(A)).encode([payload(record)]);
    const rotated = new EncryptionCodec(parsePayloadKeys(`${B},${A}`));
    expect(defaultPayloadConverter.fromPayload((await rotated.decode(underA))[0]!)).toEqual(record);
    expect(text((await rotated.encode([payload(1)]))[0]!.metadata![KEY_ID_METADATA])).toBe('b');

    const onlyB = new EncryptionCodec(parsePayloadKeys(B));
    const error = (await onlyB.decode(underA).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(PayloadDecryptionError);
    expect(error.message).toContain("key 'a'");
    expect(error.message).not.toContain(keyMaterial(A));
    expect(error.message).not.toContain(keyMaterial(B));
  });

  it('refuses a tampered payload and a key with the right id but the wrong bytes', async () => {
    const codec = new EncryptionCodec(parsePayloadKeys(A));
    const [encoded] = await codec.encode([payload(record)]);
    const tampered = Buffer.from(encoded!.data!);
    tampered[20]! ^= 1;
    await expect(codec.decode([{ ...encoded!, data: tampered }])).rejects.toThrow(/does not authenticate/);
    const impostor = new EncryptionCodec(parsePayloadKeys(newPayloadKeyEntry('a')));
    await expect(impostor.decode([encoded!])).rejects.toThrow(/does not authenticate/);
  });

  it('passes payloads that were never encrypted through on decode (histories from before encryption)', async () => {
    const codec = new EncryptionCodec(parsePayloadKeys(A));
    const plain = payload(record);
    expect(await codec.decode([plain])).toEqual([plain]);
  });
});

describe('payload keys (TENURE_PAYLOAD_KEYS)', () => {
  it('reads one or more id:base64key entries; the first encrypts; they print as ids only', () => {
    const keys = parsePayloadKeys(` ${B}, ${A} `);
    expect(keys.current.id).toBe('b');
    expect(keys.ids).toEqual(['b', 'a']);
    for (const shown of [JSON.stringify({ keys }), `${keys}`, inspect(keys), inspect(keys.current)]) {
      expect(shown).not.toContain(keyMaterial(A));
      expect(shown).not.toContain(keyMaterial(B));
    }
  });

  it('refuses malformed entries, naming the entry and how to make a key, without quoting the key', () => {
    const short = `k1:${Buffer.alloc(16, 7).toString('base64')}`;
    const cases: [string, RegExp][] = [
      ['', /is empty/],
      [keyMaterial(A), /entry 1 has no id: .*tenure keys new/],
      [`${A},${short}`, /entry 2 \(id 'k1'\): the key must be 32 bytes in base64 \(it decodes to 16 bytes\); make one with `tenure keys new`/],
      [`${A},${A}`, /the id 'a' is given twice/],
      ['b@d:xxxx', /the id must be/],
      ['k:not*base64!', /it is not base64/],
    ];
    for (const [value, message] of cases) {
      const error = (() => {
        try {
          parsePayloadKeys(value);
        } catch (e) {
          return e as Error;
        }
        throw new Error(`accepted ${value}`);
      })();
      expect(error).toBeInstanceOf(PayloadKeysError);
      expect(error.message).toMatch(message);
      expect(error.message).not.toContain(keyMaterial(A));
      expect(error.message).not.toContain(Buffer.alloc(16, 7).toString('base64'));
    }
  });

  it('is configuration: a bad value stops start-up naming the variable; outside the sandbox a missing one says how to make one', () => {
    expect(() => loadConfig({ TENURE_PAYLOAD_KEYS: 'nope' })).toThrow(/TENURE_PAYLOAD_KEYS: TENURE_PAYLOAD_KEYS entry 1 has no id/);
    const live = loadConfig({ OPENAI_ADMIN_KEY: 'sk-admin-live-123' });
    expect(() => requirePayloadKeys(live)).toThrow(ConfigError);
    expect(() => requirePayloadKeys(live)).toThrow(/tenure keys new/);
    expect(requirePayloadKeys(loadConfig({ OPENAI_ADMIN_KEY: 'sk-admin-live-123', TENURE_PAYLOAD_KEYS: A })).current.id).toBe('a');
    expect(inspect(loadConfig({ TENURE_PAYLOAD_KEYS: A }))).not.toContain(keyMaterial(A));
  });

  it('TENURE_UI_ORIGIN must be an origin', () => {
    expect(loadConfig({ TENURE_UI_ORIGIN: 'https://temporal.example.com' }).uiOrigin).toBe('https://temporal.example.com');
    expect(() => loadConfig({ TENURE_UI_ORIGIN: 'https://temporal.example.com/namespaces' })).toThrow(/TENURE_UI_ORIGIN must be an origin only/);
  });
});

