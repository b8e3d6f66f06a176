// The sync's two settings: when its Schedule runs, and how many people one sync may act on unattended.
import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../../config/index.ts';
import { syncScheduleOptions } from '../../../sync/index.ts';

const base = { TENURE_HOME: '/tmp/tenure-unit-sync' };

describe('sync configuration', () => {
  it('defaults to a daily sync that acts on at most 25 people unattended', () => {
    expect(loadConfig(base).sync).toEqual({ cron: '0 5 * * *', maxChanges: 25 });
    expect(loadConfig({ ...base, TENURE_SYNC_CRON: '*/30 * * * *', TENURE_SYNC_MAX_CHANGES: '0' }).sync).toEqual({ cron: '*/30 * * * *', maxChanges: 0 });
  });

  it.each([
    ['TENURE_SYNC_CRON', 'daily'],
    ['TENURE_SYNC_CRON', '0 5 * *'],
    ['TENURE_SYNC_MAX_CHANGES', '-1'],
    ['TENURE_SYNC_MAX_CHANGES', 'many'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(() => loadConfig({ ...base, [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, [name]: value })).toThrow(new RegExp(name));
  });

  it('the Schedule runs syncWorkflow with the plans frozen in, and changes when they do', () => {
    const a = syncScheduleOptions([], { taskQueue: 'q', cron: '0 5 * * *', maxChanges: 25 });
    expect(a.spec).toEqual({ cronExpressions: ['0 5 * * *'] });
    expect(a.action).toMatchObject({ workflowType: 'syncWorkflow', taskQueue: 'q', args: [{ plans: [], maxChanges: 25, mode: 'sync' }] });
    const b = syncScheduleOptions([], { taskQueue: 'q', cron: '0 5 * * *', maxChanges: 10 });
    expect(b.action.memo!.tenureFingerprint).not.toBe(a.action.memo!.tenureFingerprint);
  });
});
