// The OpenAI part of the configuration: SCIM settings come as a pair, the sandbox points
// at the emulator's SCIM service, and tokens stay wrapped.
import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../../config/index.ts';

describe('OpenAI configuration', () => {
  it('reads the SCIM base URL and token (wrapped), and the acceptance poll interval', () => {
    const config = loadConfig({
      OPENAI_ADMIN_KEY: 'sk-admin-live',
      OPENAI_SCIM_BASE_URL: 'https://scim.example.com/scim/v2/',
      OPENAI_SCIM_TOKEN: 'scim-secret-token',
      OPENAI_ACCEPTANCE_POLL_MS: '60000',
    });
    expect(config.openai.scim?.baseUrl).toBe('https://scim.example.com/scim/v2');
    expect(config.openai.scim?.token?.reveal()).toBe('scim-secret-token');
    expect(JSON.stringify(config)).not.toContain('scim-secret-token');
    expect(config.openai.acceptancePollMs).toBe(60_000);
  });

  it('has no SCIM service live unless configured, and the emulator’s in the sandbox', () => {
    expect(loadConfig({ OPENAI_ADMIN_KEY: 'sk-admin-live' }).openai.scim).toBeUndefined();
    const sandbox = loadConfig({ TENURE_EMULATOR_PORT: '9999' });
    expect(sandbox.openai.scim).toEqual({ baseUrl: 'http://127.0.0.1:9999/v1/scim/v2', token: undefined });
    expect(sandbox.openai.acceptancePollMs).toBe(300_000);
  });

  it('names the missing half of the SCIM pair, and a bad URL or interval', () => {
    const problem = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message;
      }
      throw new Error('expected a ConfigError');
    };
    expect(problem({ OPENAI_ADMIN_KEY: 'k', OPENAI_SCIM_BASE_URL: 'https://scim.example.com/scim/v2' })).toContain('OPENAI_SCIM_TOKEN:');
    expect(problem({ OPENAI_SCIM_TOKEN: 't' })).toContain('OPENAI_SCIM_BASE_URL:');
    expect(problem({ OPENAI_SCIM_BASE_URL: 'not a url' })).toContain('OPENAI_SCIM_BASE_URL:');
    expect(problem({ OPENAI_ACCEPTANCE_POLL_MS: 'often' })).toContain('OPENAI_ACCEPTANCE_POLL_MS:');
  });
});
