import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Secret } from '../config/index.ts';

export interface DevSecrets {
  /** The generic source's `whsec_…` secret in the dev stack. */
  webhookSecret: Secret;
  /** The sandbox emulator's admin key. */
  emulatorKey: Secret;
}

/**
 * Secrets of the local dev stack, made once and kept in `.tenure/dev-secrets.json`
 * (mode 0600) so `tenure send` and a restarted stack agree with each other.
 */
export function devSecrets(home: string): DevSecrets {
  const file = join(home, 'dev-secrets.json');
  if (!existsSync(file)) {
    mkdirSync(home, { recursive: true });
    const fresh = {
      webhookSecret: `whsec_${randomBytes(32).toString('base64')}`,
      emulatorKey: `sk-admin-emulator-${randomBytes(18).toString('base64url')}`,
    };
    writeFileSync(file, `${JSON.stringify(fresh, null, 2)}\n`, { mode: 0o600 });
  }
  const stored = JSON.parse(readFileSync(file, 'utf8')) as { webhookSecret: string; emulatorKey: string };
  return { webhookSecret: new Secret(stored.webhookSecret), emulatorKey: new Secret(stored.emulatorKey) };
}
