import type { Payload } from '@temporalio/common';
import { EncryptionCodec } from '../../codec/index.ts';
import { TEST_KEYS } from './payload-keys.ts';

/**
 * Every string in a value, with byte arrays (history payloads are protobuf bytes)
 * decoded as UTF-8, so a search for a secret sees inside payloads too.
 */
export function allText(value: unknown): string {
  const parts: string[] = [];
  const walk = (v: unknown) => {
    if (v instanceof Uint8Array) parts.push(Buffer.from(v).toString('utf8'));
    else if (typeof v === 'string') parts.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return parts.join('\n');
}

/**
 * {@link allText} of a raw history (as `fetchHistory()` gives it, encrypted), with every
 * payload in it also decrypted by the test suite's codec: what someone with the key reads.
 */
export async function decodedText(history: unknown): Promise<string> {
  const payloads: Payload[] = [];
  const walk = (v: unknown) => {
    if (v instanceof Uint8Array || typeof v !== 'object' || v === null) return;
    if (Array.isArray(v)) return v.forEach(walk);
    const candidate = v as Payload;
    if (candidate.metadata && candidate.data instanceof Uint8Array && candidate.metadata.encoding instanceof Uint8Array) payloads.push(candidate);
    else Object.values(v).forEach(walk);
  };
  walk(history);
  const decoded = await new EncryptionCodec(TEST_KEYS).decode(payloads);
  return `${allText(history)}\n${allText(decoded)}`;
}
