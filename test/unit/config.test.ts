import { describe, expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import { ConfigError, loadConfig } from '../../config/index.ts';

describe('configuration', () => {
  it('defaults to the sandbox and the embedded dev server, with every bit of state under .tenure', () => {
    const config = loadConfig({}, '/srv/app');
    expect(config.openai.mode).toBe('sandbox');
    expect(config.openai.baseUrl).toBe('http://127.0.0.1:8787/v1');
    expect(config.temporal).toMatchObject({ embedded: true, address: '127.0.0.1:7233', namespace: 'default', uiPort: 8233 });
    expect(config.home).toBe('/srv/app/.tenure');
    expect(config.store).toEqual({ kind: 'sqlite', file: '/srv/app/.tenure/tenure.db' });
    expect(config.server).toEqual({ host: '127.0.0.1', port: 3000 });
    expect(config.taskQueue).toBe('tenure');
  });

  it('goes live with OPENAI_ADMIN_KEY and connects to TEMPORAL_ADDRESS without embedding a server', () => {
    const config = loadConfig({ OPENAI_ADMIN_KEY: 'sk-admin-live-123', TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_NAMESPACE: 'hr' });
    expect(config.openai.mode).toBe('live');
    expect(config.openai.baseUrl).toBe('https://api.openai.com/v1');
    expect(config.temporal).toMatchObject({ embedded: false, address: 'temporal.internal:7233', namespace: 'hr' });
  });

  it('names every bad variable and what it must look like', () => {
    const error = (() => {
      try {
        loadConfig({ PORT: 'eighty', TENURE_WEBHOOK_SECRET: 'hunter2', TENURE_DATABASE_URL: 'mysql://x' });
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    for (const name of ['PORT', 'TENURE_WEBHOOK_SECRET', 'TENURE_DATABASE_URL']) expect(error!.message).toContain(name);
    // The bad secret's value is not echoed back.
    expect(error!.message).not.toContain('hunter2');
  });

  it('prints secrets as [redacted] however the config is serialized', () => {
    const config = loadConfig({
      OPENAI_ADMIN_KEY: 'sk-admin-verysecret',
      TENURE_WEBHOOK_SECRET: 'whsec_c2VjcmV0c2VjcmV0c2VjcmV0',
      TENURE_DATABASE_URL: 'postgres://tenure:pw-hidden@db/tenure',
      TENURE_SECRET_SLACK_WEBHOOK: 'https://hooks.example.com/T/B/hidden-path',
    });
    const printed = [JSON.stringify(config), inspect(config, { depth: 10 }), `${config.openai.adminKey}`].join('\n');
    for (const secret of ['sk-admin-verysecret', 'c2VjcmV0c2VjcmV0', 'pw-hidden', 'hidden-path']) expect(printed).not.toContain(secret);
    expect(config.openai.adminKey?.reveal()).toBe('sk-admin-verysecret');
  });

  it('lets definitions name only TENURE_SECRET_* variables', () => {
    const config = loadConfig({ OPENAI_ADMIN_KEY: 'sk-admin-x', TENURE_SECRET_SLACK_WEBHOOK: 'https://hooks.example.com/a', TENURE_SECRET_: 'ignored' });
    expect([...config.definitionSecrets.keys()]).toEqual(['SLACK_WEBHOOK']);
    expect(config.definitionSecrets.get('SLACK_WEBHOOK')?.reveal()).toBe('https://hooks.example.com/a');
    expect(config.definitionSecrets.has('OPENAI_ADMIN_KEY')).toBe(false);
  });
});
