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

  it('links runs to the Temporal UI at TENURE_TEMPORAL_UI_URL, else the embedded UI\'s port', () => {
    expect(loadConfig({}).temporal.uiUrl).toBe('http://127.0.0.1:8233');
    expect(loadConfig({ TENURE_DEV_UI_PORT: '9000' }).temporal.uiUrl).toBe('http://127.0.0.1:9000');
    expect(loadConfig({ TENURE_TEMPORAL_UI_URL: 'https://temporal.example.com/' }).temporal.uiUrl).toBe('https://temporal.example.com');
    expect(() => loadConfig({ TENURE_TEMPORAL_UI_URL: 'temporal.example.com' })).toThrow(/TENURE_TEMPORAL_UI_URL must be the Temporal UI's http:\/\/ or https:\/\/ URL/);
  });

  it('goes live with OPENAI_ADMIN_KEY and connects to TEMPORAL_ADDRESS without embedding a server', () => {
    const config = loadConfig({ OPENAI_ADMIN_KEY: 'sk-admin-live-123', TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_NAMESPACE: 'hr' });
    expect(config.openai.mode).toBe('live');
    expect(config.openai.baseUrl).toBe('https://api.openai.com/v1');
    expect(config.temporal).toMatchObject({ embedded: false, address: 'temporal.internal:7233', namespace: 'hr' });
  });

  it('refuses http:// OpenAI and SCIM base URLs with a live key, unless on loopback or explicitly allowed', () => {
    const live = { OPENAI_ADMIN_KEY: 'sk-admin-live-123' };
    expect(() => loadConfig({ ...live, OPENAI_BASE_URL: 'http://api.example.com/v1' })).toThrow(/OPENAI_BASE_URL: must be https:\/\//);
    expect(() => loadConfig({ ...live, OPENAI_SCIM_BASE_URL: 'http://scim.example.com/scim/v2', OPENAI_SCIM_TOKEN: 'scim-token' })).toThrow(/OPENAI_SCIM_BASE_URL: must be https:\/\//);
    expect(loadConfig({ ...live, OPENAI_BASE_URL: 'http://127.0.0.1:8787/v1' }).openai.baseUrl).toBe('http://127.0.0.1:8787/v1');
    expect(loadConfig({ ...live, OPENAI_BASE_URL: 'http://proxy.internal/v1', TENURE_ALLOW_INSECURE_HTTP: 'true' }).openai.baseUrl).toBe('http://proxy.internal/v1');
    expect(loadConfig({ OPENAI_BASE_URL: 'http://emulator.internal/v1' }).openai.mode).toBe('sandbox');
  });

  it('reads the replay window as a duration, 24 hours by default', () => {
    expect(loadConfig({}).replayWindowMs).toBe(24 * 3_600_000);
    expect(loadConfig({ TENURE_REPLAY_WINDOW: '90m' }).replayWindowMs).toBe(90 * 60_000);
    expect(() => loadConfig({ TENURE_REPLAY_WINDOW: 'soon' })).toThrow(/TENURE_REPLAY_WINDOW must be a positive duration/);
  });

  it('reads the log format: auto by default, json or pretty by name', () => {
    expect(loadConfig({}).logFormat).toBe('auto');
    expect(loadConfig({ TENURE_LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(loadConfig({ TENURE_LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(() => loadConfig({ TENURE_LOG_FORMAT: 'yaml' })).toThrow(/TENURE_LOG_FORMAT must be auto, json or pretty/);
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

describe('configuration of the operator console', () => {
  it('reads the Temporal UI URL for links to runs, without a trailing slash, and refuses anything but http(s)', () => {
    expect(loadConfig({ TENURE_TEMPORAL_UI_URL: 'https://temporal.example.com/' }).temporal.uiUrl).toBe('https://temporal.example.com');
    for (const bad of ['javascript:alert(1)', 'not a url', 'ftp://temporal.example.com']) {
      expect(() => loadConfig({ TENURE_TEMPORAL_UI_URL: bad })).toThrow(/TENURE_TEMPORAL_UI_URL must be the Temporal UI's http:\/\/ or https:\/\/ URL/);
    }
  });

  it('keeps the session key secret, and refuses a short one', () => {
    const key = 'k'.repeat(40);
    const config = loadConfig({ TENURE_CONSOLE_SECRET: key });
    expect(config.consoleSecret?.reveal()).toBe(key);
    expect(JSON.stringify(config)).not.toContain(key);
    expect(inspect(config, { depth: 5 })).not.toContain(key);
    expect(() => loadConfig({ TENURE_CONSOLE_SECRET: 'short' })).toThrow(/TENURE_CONSOLE_SECRET must be at least 32 characters/);
  });
});
