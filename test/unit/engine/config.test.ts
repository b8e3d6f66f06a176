// The engine's configuration: the OpenAI rate limit for the whole task queue, and the names
// of the task queues it applies to.
import { describe, expect, it } from '@jest/globals';
import { ConfigError, DEFAULT_OPENAI_RATE_PER_SECOND, loadConfig } from '../../../config/index.ts';
import { runsQuery } from '../../../triggers/index.ts';
import { openaiTaskQueueFor } from '../../../workflows/shared.ts';

const base = { TENURE_HOME: '/tmp/tenure-unit-engine' };

describe('TENURE_OPENAI_RATE_PER_SECOND', () => {
  it('defaults to a conservative 2 actions per second, and takes fractions', () => {
    expect(DEFAULT_OPENAI_RATE_PER_SECOND).toBe(2);
    expect(loadConfig(base).openai.ratePerSecond).toBe(2);
    expect(loadConfig({ ...base, TENURE_OPENAI_RATE_PER_SECOND: '0.5' }).openai.ratePerSecond).toBe(0.5);
  });

  it.each(['0', '-1', 'fast', '5000'])('refuses %s, naming the variable', (value) => {
    expect(() => loadConfig({ ...base, TENURE_OPENAI_RATE_PER_SECOND: value })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, TENURE_OPENAI_RATE_PER_SECOND: value })).toThrow(/TENURE_OPENAI_RATE_PER_SECOND/);
  });

  it('applies to a task queue of the OpenAI actions alone, named after the main one', () => {
    expect(openaiTaskQueueFor(loadConfig(base).taskQueue)).toBe('tenure-openai');
  });
});

describe('runs filters', () => {
  it('become a visibility query on Tenure\'s search attributes', () => {
    expect(runsQuery({ employee: 'E-1001', status: 'waiting', definition: 'onboard-openai' })).toBe(
      "WorkflowType = 'definitionRun' AND TenureEmployeeId = 'E-1001' AND TenureStatus = 'waiting' AND TenureDefinition = 'onboard-openai'",
    );
  });

  it.each([
    [{ employee: "x' OR TenureStatus != '" }, 'employee'],
    [{ status: 'sleeping' }, 'status'],
    [{ definition: 'a\\b' }, 'definition'],
    [{ source: '' }, 'source'],
  ])('refuses %j with INVALID_FILTER naming the field', (filter, field) => {
    expect(() => runsQuery(filter)).toThrow(expect.objectContaining({ code: 'INVALID_FILTER', message: expect.stringContaining(field) }));
  });
});
