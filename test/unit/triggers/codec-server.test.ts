// The codec endpoint of the trigger server, over its HTTP interface (fastify's inject):
// Temporal's remote codec protocol, operator authentication, CORS for the UI, the namespace.
// The Temporal client is a lazy one that never connects: the codec does not use it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newPayloadKeyEntry, parsePayloadKeys } from '../../../codec/index.ts';
import { loadConfig } from '../../../config/index.ts';
import { buildTriggerServer, codecEndpoint } from '../../../triggers/index.ts';
import { memoryLogger } from '../../helpers/logger.ts';

const TOKEN = 'admin-token-0123456789abcdef';
const OPERATOR_TOKEN = 'operator-token-grace-0123456789';
const OPERATORS_FILE = join(mkdtempSync(join(tmpdir(), 'tenure-codec-')), 'operators.yaml');
writeFileSync(OPERATORS_FILE, `operators:\n  - email: grace@example.com\n    token_sha256: ${createHash('sha256').update(OPERATOR_TOKEN).digest('hex')}\n`);
const UI = 'https://temporal.example.com';
const DEV_UI = 'http://127.0.0.1:8233';
const KEY = newPayloadKeyEntry('k1');
const b64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('base64');
const asJson = (value: unknown) => {
  const p = defaultPayloadConverter.toPayload(value);
  return { metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])), data: b64(p.data) };
};
const fromJson = (p: { metadata: Record<string, string>; data: string }) =>
  defaultPayloadConverter.fromPayload({ metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])), data: Buffer.from(p.data, 'base64') });

describe('the codec endpoint (/codec)', () => {
  const log = memoryLogger();
  const config = loadConfig({ TENURE_ADMIN_TOKEN: TOKEN, TENURE_UI_ORIGIN: UI, TENURE_PAYLOAD_KEYS: KEY, TEMPORAL_NAMESPACE: 'hr', TENURE_OPERATORS_FILE: OPERATORS_FILE });
  const connection = Connection.lazy({ address: '127.0.0.1:1' });
  const app = buildTriggerServer({
    client: new Client({ connection, namespace: 'hr' }),
    taskQueue: 'unused',
    sources: [],
    plans: () => [],
    logger: log.logger,
    codec: codecEndpoint(config, parsePayloadKeys(KEY), { trustedOrigins: [DEV_UI] }),
  });
  const post = (operation: string, body: unknown, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) =>
    app.inject({ method: 'POST', url: `/codec/${operation}`, headers: { 'content-type': 'application/json', 'x-namespace': 'hr', ...headers }, payload: JSON.stringify(body) });

  beforeAll(async () => {
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await connection.close();
  });

  it('encodes and decodes in Temporal\'s codec protocol; encoded payloads name the key and hide the value', async () => {
    const record = { email: 'ada@example.com', firstName: 'Ada' };
    const encoded = await post('encode', { payloads: [asJson(record), asJson(42)] });
    expect(encoded.statusCode).toBe(200);
    const { payloads } = encoded.json() as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(payloads).toHaveLength(2);
    expect(Buffer.from(payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('binary/encrypted');
    expect(Buffer.from(payloads[0]!.metadata['encryption-key-id']!, 'base64').toString()).toBe('k1');
    expect(Buffer.from(payloads[0]!.data, 'base64').toString()).not.toContain('ada@');

    const decoded = await post('decode', { payloads });
    expect(decoded.statusCode).toBe(200);
    expect((decoded.json() as { payloads: { metadata: Record<string, string>; data: string }[] }).payloads.map(fromJson)).toEqual([record, 42]);
  });

  it('wants an operator\'s bearer token (TENURE_ADMIN_TOKEN or one of the operators file): none or a wrong one is 401 with a challenge', async () => {
    expect((await post('decode', { payloads: [] }, { authorization: `Bearer ${OPERATOR_TOKEN}` })).statusCode).toBe(200);
    for (const headers of [{}, { authorization: 'Bearer wrong-token-wrong-token' }, { authorization: `Basic ${TOKEN}` }] as Record<string, string>[]) {
      const refused = await post('decode', { payloads: [] }, headers);
      expect(refused.statusCode).toBe(401);
      expect(refused.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(refused.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    }
    // An origin that is allowed by CORS is not thereby trusted.
    expect((await post('decode', { payloads: [] }, { origin: UI })).statusCode).toBe(401);
    // Only the dev stack's own embedded UI is trusted without a token.
    expect((await post('decode', { payloads: [] }, { origin: DEV_UI })).statusCode).toBe(200);
  });

  it('answers the UI\'s CORS preflight without credentials, and allows only the configured origins', async () => {
    const preflight = await app.inject({ method: 'OPTIONS', url: '/codec/decode', headers: { origin: UI, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-namespace' } });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(UI);
    expect(preflight.headers['access-control-allow-credentials']).toBe('true');
    expect(String(preflight.headers['access-control-allow-headers'])).toContain('x-namespace');
    const ok = await post('decode', { payloads: [] }, { authorization: `Bearer ${TOKEN}`, origin: UI });
    expect(ok.headers['access-control-allow-origin']).toBe(UI);
    const other = await app.inject({ method: 'OPTIONS', url: '/codec/decode', headers: { origin: 'https://evil.example.com' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('serves its own namespace only, and refuses a malformed body or a payload it holds no key for', async () => {
    const elsewhere = await post('decode', { payloads: [] }, { authorization: `Bearer ${TOKEN}`, 'x-namespace': 'finance' });
    expect(elsewhere.statusCode).toBe(403);
    expect(elsewhere.json()).toMatchObject({ error: { code: 'NAMESPACE_NOT_SERVED' } });

    for (const body of [{ payloads: [{ data: 'not base64!' }] }, { payloads: 'x' }, { payloads: [], extra: 1 }]) {
      const bad = await post('decode', body);
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ error: { code: 'INVALID_CODEC_REQUEST' } });
    }
    // No payloads at all, as the Temporal CLI sends them (protobuf JSON leaves out an empty list).
    expect((await post('encode', {})).json()).toEqual({ payloads: [] });
    const notJson = await app.inject({ method: 'POST', url: '/codec/decode', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, payload: '{' });
    expect(notJson.statusCode).toBe(400);

    const foreign = await post('decode', {
      payloads: [{ metadata: { encoding: b64(Buffer.from('binary/encrypted')), 'encryption-key-id': b64(Buffer.from('k0')) }, data: b64(Buffer.alloc(40)) }],
    });
    expect(foreign.statusCode).toBe(422);
    expect(foreign.json()).toMatchObject({ error: { code: 'UNDECRYPTABLE_PAYLOAD' } });
    expect((foreign.json() as { error: { message: string } }).error.message).toContain("key 'k0'");
  });

  it('logs neither the token, the key nor a payload', () => {
    const logged = log.lines.join('\n');
    for (const secret of [TOKEN, KEY.slice(3), 'ada@example.com']) expect(logged).not.toContain(secret);
  });
});
