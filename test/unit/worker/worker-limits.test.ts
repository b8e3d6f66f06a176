// The worker's cache and slot limits: small-machine defaults, overridable by environment.
import { describe, expect, it } from '@jest/globals';
import { ConfigError, DEFAULT_WORKER_LIMITS, loadConfig } from '../../../config/index.ts';

const base = { TENURE_HOME: '/tmp/tenure-unit-worker' };

describe('worker limits', () => {
  it('default to a bounded cache and few slots', () => {
    expect(loadConfig(base).worker).toEqual({ maxCachedWorkflows: 100, workflowTaskSlots: 10, activityTaskSlots: 20, workflowHeapMiB: 384 });
    expect(loadConfig(base).worker).toEqual(DEFAULT_WORKER_LIMITS);
  });

  it('take the environment variables', () => {
    const env = { ...base, TENURE_WORKER_CACHED_WORKFLOWS: '0', TENURE_WORKER_WORKFLOW_SLOTS: '4', TENURE_WORKER_ACTIVITY_SLOTS: '8', TENURE_WORKER_HEAP_MIB: '256' };
    expect(loadConfig(env).worker).toEqual({ maxCachedWorkflows: 0, workflowTaskSlots: 4, activityTaskSlots: 8, workflowHeapMiB: 256 });
  });

  it.each([
    ['TENURE_WORKER_CACHED_WORKFLOWS', '-1'],
    ['TENURE_WORKER_CACHED_WORKFLOWS', 'lots'],
    ['TENURE_WORKER_WORKFLOW_SLOTS', '1'],
    ['TENURE_WORKER_ACTIVITY_SLOTS', '0'],
    ['TENURE_WORKER_ACTIVITY_SLOTS', '2.5'],
    ['TENURE_WORKER_HEAP_MIB', '64'],
  ])('refuse %s=%s, naming the variable', (name, value) => {
    expect(() => loadConfig({ ...base, [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, [name]: value })).toThrow(new RegExp(name));
  });
});
