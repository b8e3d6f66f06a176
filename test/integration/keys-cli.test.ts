// `tenure keys new` makes a usable payload key; outside sandbox mode a worker or trigger
// server without TENURE_PAYLOAD_KEYS refuses to start and says how to make one. The real
// CLI, as child processes; nothing reaches Temporal (the address is unreachable anyway).
import { describe, expect, it } from '@jest/globals';
import { parsePayloadKeys } from '../../codec/index.ts';
import { startTenure } from '../helpers/process.ts';

const { TENURE_PAYLOAD_KEYS: _k, ...baseEnv } = process.env;
const live = { ...baseEnv, OPENAI_ADMIN_KEY: 'sk-admin-keys-test-123', TEMPORAL_ADDRESS: '127.0.0.1:1', TENURE_WEBHOOK_SECRET: 'whsec_dGhpcyBpcyBhIHRlc3Qgd2ViaG9vayBzZWNyZXQgMTIzNDU2' };

describe('payload keys on the command line', () => {
  it('tenure keys new prints a fresh id:key that TENURE_PAYLOAD_KEYS accepts', async () => {
    const made = [startTenure(['keys', 'new', '--id', 'k-2026'], baseEnv), startTenure(['keys', 'new'], baseEnv)];
    const outputs = await Promise.all(made.map(async (c) => ((await c.exited).code === 0 ? c.output() : `exit: ${c.output()}`)));
    const entries = outputs.map((o) => o.split('\n')[0]!.trim());
    expect(entries[0]).toMatch(/^k-2026:[A-Za-z0-9+/]{43}=$/);
    expect(entries[1]).toMatch(/^k\d{8}:/);
    expect(parsePayloadKeys(entries.join(',')).ids).toEqual(['k-2026', entries[1]!.split(':')[0]]);
    expect(outputs[0]).toContain('TENURE_PAYLOAD_KEYS');
  });

  it('a worker and a trigger server without a key refuse to start, saying how to make one', async () => {
    for (const command of ['worker', 'serve']) {
      const started = startTenure([command], live);
      const { code } = await started.exited;
      expect({ command, code }).toEqual({ command, code: 1 });
      expect(started.output()).toContain('no payload key: TENURE_PAYLOAD_KEYS is not set');
      expect(started.output()).toContain('tenure keys new');
    }
  });
});
