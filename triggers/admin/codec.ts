import type { CodecServerOptions, PayloadKeys } from '../../codec/index.ts';
import type { TenureConfig } from '../../config/index.ts';
import { operatorAuthenticator } from './auth.ts';

/**
 * The trigger server's codec endpoint as configured: the payload keys, the namespace,
 * operator authentication (TENURE_ADMIN_TOKEN, or an operator's token from
 * TENURE_OPERATORS_FILE) and CORS for TENURE_UI_ORIGIN.
 * `trustedOrigins`: browser origins that need no token (`tenure dev`'s embedded UI only).
 */
export function codecEndpoint(config: TenureConfig, keys: PayloadKeys, options: { uiOrigins?: readonly string[]; trustedOrigins?: readonly string[] } = {}): CodecServerOptions {
  return {
    keys,
    namespace: config.temporal.namespace,
    authorize: (() => {
      const authenticate = operatorAuthenticator({ operators: config.operators, adminToken: config.adminToken });
      return (token: string) => authenticate(token) !== undefined;
    })(),
    uiOrigins: [...(config.uiOrigin ? [config.uiOrigin] : []), ...(options.uiOrigins ?? [])],
    trustedOrigins: options.trustedOrigins ?? [],
  };
}
