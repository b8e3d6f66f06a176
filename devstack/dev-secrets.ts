import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newPayloadKeyEntry, parsePayloadKeys, type PayloadKeys } from '../codec/index.ts';
import { Secret } from '../config/index.ts';

export interface DevSecrets {
  /** The generic source's `whsec_…` secret in the dev stack. */
  webhookSecret: Secret;
  /** The sandbox emulator's admin key. */
  emulatorKey: Secret;
  /** The payload codec's key in the dev stack (`dev:<base64>`), used when TENURE_PAYLOAD_KEYS is unset. */
  payloadKeys: PayloadKeys;
  /** The sandbox's operator token (acting as `admin`), used when neither TENURE_ADMIN_TOKEN nor TENURE_OPERATORS_FILE is set. */
  adminToken: Secret;
  /** The key that signs the console's session cookies, used when TENURE_CONSOLE_SECRET is unset. */
  consoleSecret: Secret;
}

interface Stored {
  webhookSecret: string;
  emulatorKey: string;
  payloadKey: string;
  adminToken: string;
  consoleSecret: string;
}

/**
 * Secrets of the local dev stack, made once and kept in `.tenure/dev-secrets.json`
 * (mode 0600) so `tenure send`, the other commands and a restarted stack agree with each
 * other. A file from before a secret existed (the payload key, the sandbox's admin token,
 * the console's cookie key) gets it added.
 */
export function devSecrets(home: string): DevSecrets {
  const file = join(home, 'dev-secrets.json');
  const stored: Partial<Stored> = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<Stored>) : {};
  const complete: Stored = {
    webhookSecret: stored.webhookSecret ?? `whsec_${randomBytes(32).toString('base64')}`,
    emulatorKey: stored.emulatorKey ?? `sk-admin-emulator-${randomBytes(18).toString('base64url')}`,
    payloadKey: stored.payloadKey ?? newPayloadKeyEntry('dev'),
    adminToken: stored.adminToken ?? `tenure-dev-${randomBytes(24).toString('base64url')}`,
    consoleSecret: stored.consoleSecret ?? randomBytes(32).toString('base64url'),
  };
  if (!existsSync(file) || Object.keys(stored).length !== Object.keys(complete).length) {
    mkdirSync(home, { recursive: true });
    writeFileSync(file, `${JSON.stringify(complete, null, 2)}\n`, { mode: 0o600 });
  }
  return {
    webhookSecret: new Secret(complete.webhookSecret),
    emulatorKey: new Secret(complete.emulatorKey),
    payloadKeys: parsePayloadKeys(complete.payloadKey, `${file} (payloadKey)`),
    adminToken: new Secret(complete.adminToken),
    consoleSecret: new Secret(complete.consoleSecret),
  };
}

