// config.hris: each vendor from its variables, all or none; the HR emulator's in sandbox
// mode when a vendor has none; nothing in live mode without them; secrets redacted.
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, HR_EMULATOR_CREDENTIALS, loadConfig, parseSourcesFile } from '../../../config/index.ts';

const base = { TENURE_HOME: '/tmp/tenure-hris-config' };
const live = { ...base, OPENAI_ADMIN_KEY: 'sk-admin-live' };

describe('config.hris', () => {
  it('points every vendor at the HR emulator, with its credentials, in sandbox mode when none is configured', () => {
    const { hris } = loadConfig({ ...base, TENURE_EMULATOR_PORT: '9797' });
    expect(hris.bamboohr).toMatchObject({ baseUrl: 'http://127.0.0.1:9797/hris/bamboohr/api', companyDomain: 'sandbox', emulated: true });
    expect(hris.bamboohr!.apiKey.reveal()).toBe(HR_EMULATOR_CREDENTIALS.bamboohr.apiKey);
    expect(hris.hibob).toMatchObject({ baseUrl: 'http://127.0.0.1:9797/hris/hibob/v1', serviceUserId: HR_EMULATOR_CREDENTIALS.hibob.serviceUserId, emulated: true });
    expect(hris.merge).toMatchObject({ baseUrl: 'http://127.0.0.1:9797/hris/merge/api/hris/v1', emulated: true });
  });

  it('reads no HR system in live mode unless its credentials are set', () => {
    expect(loadConfig(live).hris).toMatchObject({ bamboohr: undefined, hibob: undefined, merge: undefined, timeoutMs: 30_000 });
  });

  it('takes each vendor from its variables, with the vendors\' default base URLs, and keeps secrets redacted', () => {
    const { hris } = loadConfig({
      ...live,
      BAMBOOHR_API_KEY: 'bamboo-key-0123',
      BAMBOOHR_COMPANY_DOMAIN: 'acme',
      HIBOB_SERVICE_USER_ID: 'SERVICE-1',
      HIBOB_SERVICE_USER_TOKEN: 'bob-token-0123',
      MERGE_API_KEY: 'merge-key-0123',
      MERGE_ACCOUNT_TOKEN: 'merge-account-0123',
      MERGE_API_BASE_URL: 'https://api-eu.merge.dev/api/hris/v1/',
    });
    expect(hris.bamboohr).toMatchObject({ companyDomain: 'acme', baseUrl: 'https://acme.bamboohr.com/api', emulated: false });
    expect(hris.hibob).toMatchObject({ serviceUserId: 'SERVICE-1', baseUrl: 'https://api.hibob.com/v1', emulated: false });
    expect(hris.merge).toMatchObject({ baseUrl: 'https://api-eu.merge.dev/api/hris/v1', emulated: false });
    const printed = JSON.stringify(hris);
    for (const secret of ['bamboo-key-0123', 'bob-token-0123', 'merge-key-0123', 'merge-account-0123']) expect(printed).not.toContain(secret);
  });

  it.each([
    [{ BAMBOOHR_API_KEY: 'k' }, /BAMBOOHR_COMPANY_DOMAIN must be set too/],
    [{ HIBOB_SERVICE_USER_TOKEN: 't' }, /HIBOB_SERVICE_USER_ID must be set too/],
    [{ MERGE_ACCOUNT_TOKEN: 't' }, /MERGE_API_KEY must be set too/],
    [{ BAMBOOHR_API_KEY: 'k', BAMBOOHR_COMPANY_DOMAIN: 'acme.bamboohr.com' }, /BAMBOOHR_COMPANY_DOMAIN must be the text before \.bamboohr\.com/],
    [{ HIBOB_API_BASE_URL: 'api.hibob.com' }, /HIBOB_API_BASE_URL must be an absolute URL/],
    [{ MERGE_API_KEY: 'k', MERGE_ACCOUNT_TOKEN: 't', MERGE_API_BASE_URL: 'http://merge.internal.example/api/hris/v1' }, /MERGE_API_BASE_URL: must be https:\/\//],
  ])('refuses a half-configured or malformed vendor: %j', (env, message) => {
    expect(() => loadConfig({ ...live, ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ ...live, ...env })).toThrow(message);
  });
});

it('accepts a plain-HTTP HR base URL on loopback (the emulator) or when allowed', () => {
  const merge = { MERGE_API_KEY: 'k', MERGE_ACCOUNT_TOKEN: 't' };
  expect(loadConfig({ ...live, ...merge, MERGE_API_BASE_URL: 'http://127.0.0.1:8787/hris/merge/api/hris/v1' }).hris.merge?.baseUrl).toBe('http://127.0.0.1:8787/hris/merge/api/hris/v1');
  expect(loadConfig({ ...live, ...merge, MERGE_API_BASE_URL: 'http://merge.internal.example', TENURE_ALLOW_INSECURE_HTTP: 'true' }).hris.merge?.baseUrl).toBe('http://merge.internal.example');
});

describe('hris: in tenure.config.yaml', () => {
  it('gives the Merge connector its field mapping', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tenure-hris-file-'));
    writeFileSync(join(dir, 'tenure.config.yaml'), 'hris:\n  merge:\n    fields:\n      department: groups.COST_CENTER\n      employmentType: { field: employments.employment_type, values: { SEASONAL: contractor } }\n');
    const { hris } = loadConfig({ ...base, TENURE_EMULATOR_PORT: '9797' }, dir);
    expect(hris.merge?.fields).toEqual({
      department: { field: 'groups.COST_CENTER' },
      employmentType: { field: 'employments.employment_type', values: { SEASONAL: 'contractor' } },
    });
  });

  it('reports unknown keys and targets with positions, as for sources', () => {
    const problems = (text: string) => parseSourcesFile(text, 'f.yaml').problems.map((p) => `${p.line}:${p.col} ${p.code} ${p.message}`);
    expect(problems('hris:\n  workday: {}\n')).toEqual([expect.stringMatching(/^2:3 UNKNOWN_KEY unknown key 'workday'; valid keys are merge/)]);
    expect(problems('hris:\n  merge:\n    fields:\n      departmnet: groups.DEPARTMENT\n')).toEqual([expect.stringMatching(/^4:7 UNKNOWN_KEY cannot map into 'departmnet'/)]);
    expect(problems('hris:\n  merge:\n    fields:\n      employmentType: { field: x, default: seasonal }\n')).toEqual([expect.stringMatching(/INVALID_VALUE 'seasonal' is not a valid employmentType/)]);
  });
});

