// Operators of the admin API: the operators file (sha256 of each token, never the token) and
// the token → operator function the admin endpoints (and other servers) authenticate with.
import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, Secret } from '../../../config/index.ts';
import { ADMIN_OPERATOR, operatorAuthenticator } from '../../../triggers/index.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const dir = mkdtempSync(join(tmpdir(), 'tenure-operators-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
const configWith = (path: string) => loadConfig({ TENURE_OPERATORS_FILE: path, TENURE_HOME: dir });

describe('the operators file', () => {
  it('reads each operator by the sha256 of their token (any case of hex)', () => {
    const path = file('ok.yaml', `operators:\n  - email: grace@example.com\n    token_sha256: ${sha256('grace-token').toUpperCase()}\n  - email: ops@example.com\n    token_sha256: ${sha256('ops-token')}\n`);
    expect(configWith(path).operators).toEqual([
      { email: 'grace@example.com', tokenSha256: sha256('grace-token') },
      { email: 'ops@example.com', tokenSha256: sha256('ops-token') },
    ]);
  });

  it.each([
    ['a token instead of its hash', 'operators:\n  - email: grace@example.com\n    token_sha256: grace-token\n', 'operators.0.token_sha256'],
    ['a bad email', `operators:\n  - email: grace\n    token_sha256: ${sha256('x')}\n`, 'operators.0.email'],
    ['an unknown key', `operators:\n  - email: grace@example.com\n    token: x\n    token_sha256: ${sha256('x')}\n`, 'token'],
    ['no operators', 'operators: []\n', 'at least one'],
    ['two operators with one token', `operators:\n  - email: a@example.com\n    token_sha256: ${sha256('x')}\n  - email: b@example.com\n    token_sha256: ${sha256('x')}\n`, 'same token_sha256'],
  ])('refuses %s, naming the variable, the file and the entry', (_name, text, where) => {
    const path = file(`bad-${where.replace(/\W/g, '')}.yaml`, text);
    const error = (() => {
      try {
        configWith(path);
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.message).toContain('TENURE_OPERATORS_FILE');
    expect(error!.message).toContain(path);
    expect(error!.message).toContain(where);
  });

  it('refuses a file that is not there', () => {
    expect(() => configWith(join(dir, 'missing.yaml'))).toThrow(/TENURE_OPERATORS_FILE.*missing\.yaml.*ENOENT/s);
  });
});

describe('operatorAuthenticator', () => {
  const authenticate = operatorAuthenticator({
    operators: [
      { email: 'grace@example.com', tokenSha256: sha256('grace-token') },
      { email: 'ops@example.com', tokenSha256: sha256('ops-token') },
    ],
    adminToken: new Secret('the-admin-token-0123'),
  });

  it('names the operator a token belongs to; TENURE_ADMIN_TOKEN is admin; anything else nobody', () => {
    expect(authenticate('grace-token')).toBe('grace@example.com');
    expect(authenticate('ops-token')).toBe('ops@example.com');
    expect(authenticate('the-admin-token-0123')).toBe(ADMIN_OPERATOR);
    expect(authenticate(sha256('grace-token'))).toBeUndefined(); // the hash is not a token
    expect(authenticate('')).toBeUndefined();
    expect(authenticate('grace-token ')).toBeUndefined();
  });

  it('accepts nobody without operators or an admin token', () => {
    expect(operatorAuthenticator({ operators: [] })('anything')).toBeUndefined();
  });
});
