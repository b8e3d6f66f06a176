import type { TenureConfig } from '../config/index.ts';
import { devSecrets } from './dev-secrets.ts';

/**
 * The configuration a process uses in sandbox mode (no OPENAI_ADMIN_KEY): OpenAI calls go to
 * the emulator at OPENAI_BASE_URL (and its SCIM service), behind the dev stack's emulator key,
 * and payloads are encrypted with the dev payload key unless TENURE_PAYLOAD_KEYS is set — the
 * keys `tenure dev` and `tenure emulator` use, kept in `<TENURE_HOME>/dev-secrets.json`. So a
 * standalone `tenure worker`, `tenure serve` or `tenure runs` works against the sandbox as
 * `tenure dev`'s own parts do. In live mode the configuration is returned unchanged: there a
 * payload key must be configured.
 */
export function sandboxConfig(config: TenureConfig): TenureConfig {
  if (config.openai.mode !== 'sandbox') return config;
  const secrets = devSecrets(config.home);
  const key = config.openai.adminKey ?? secrets.emulatorKey;
  const scim = config.openai.scim ? { ...config.openai.scim, token: config.openai.scim.token ?? key } : undefined;
  return { ...config, payloadKeys: config.payloadKeys ?? secrets.payloadKeys, openai: { ...config.openai, adminKey: key, scim } };
}
