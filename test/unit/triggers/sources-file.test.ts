// tenure.config.yaml: validated with zod, every problem reported at once with a code and
// its position; secrets are read from the variables it names, in config/.
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, parseSourcesFile, SourcesFileError } from '../../../config/index.ts';
import { buildSources } from '../../../triggers/index.ts';

const ENV = {
  BAMBOOHR_WEBHOOK_SECRET: 'bamboo-private-key-0123',
  HIBOB_WEBHOOK_SECRET: 'bob-secret-0123456',
  ACME_EU_BAMBOOHR_SECRET: 'acme-private-key-0123',
  WORKDAY_BRIDGE_SECRET: 'whsec_dGhpcyBpcyBhIHRlc3Qgd2ViaG9vayBzZWNyZXQ=',
  WORKDAY_BRIDGE_SECRET_OLD: 'whsec_b2xkIHNlY3JldCBmb3Igcm90YXRpb24gMTIzNA==',
};

function problemsOf(text: string) {
  return parseSourcesFile(text, 'tenure.config.yaml').problems.map((p) => `${p.line}:${p.col} ${p.code}`);
}

describe('tenure.config.yaml', () => {
  it('loads the shipped example, with every secret read from the variable it names', () => {
    const config = loadConfig({ ...ENV, TENURE_CONFIG: 'examples/tenure.config.yaml' });
    expect(config.sources.map((s) => [s.name, s.kind, s.secretEnv])).toEqual([
      ['bamboohr', 'bamboohr', ['BAMBOOHR_WEBHOOK_SECRET']],
      ['acme-eu', 'bamboohr', ['ACME_EU_BAMBOOHR_SECRET']],
      ['hibob', 'hibob', ['HIBOB_WEBHOOK_SECRET']],
      ['workday-bridge', 'generic', ['WORKDAY_BRIDGE_SECRET', 'WORKDAY_BRIDGE_SECRET_OLD']],
    ]);
    const bamboo = config.sources[0]!;
    expect(bamboo.timestampToleranceMs).toBe(600_000);
    expect(bamboo.fields.timezone).toEqual({ field: 'Location', values: { London: 'Europe/London', 'New York': 'America/New_York', Berlin: 'Europe/Berlin' }, default: 'UTC' });
    expect(config.sources[2]!.events).toEqual({ 'employee.joined': 'employee.hired', 'employee.created': 'ignore' });
    expect(config.sources[3]!.secrets.map((s) => s.reveal())).toEqual([ENV.WORKDAY_BRIDGE_SECRET, ENV.WORKDAY_BRIDGE_SECRET_OLD]);
    // Secrets stay redacted when the configuration is printed.
    expect(JSON.stringify(config)).not.toContain(ENV.ACME_EU_BAMBOOHR_SECRET);
    expect(buildSources(config.sources, undefined).map((s) => `${s.name}:${s.kind}`)).toEqual(['bamboohr:bamboohr', 'acme-eu:bamboohr', 'hibob:hibob', 'workday-bridge:generic']);
  });

  it('enables BambooHR and HiBob from their secrets alone, and nothing without them', () => {
    expect(loadConfig({ BAMBOOHR_WEBHOOK_SECRET: ENV.BAMBOOHR_WEBHOOK_SECRET }).sources.map((s) => s.name)).toEqual(['bamboohr']);
    expect(loadConfig({ HIBOB_WEBHOOK_SECRET: ENV.HIBOB_WEBHOOK_SECRET }).sources.map((s) => s.name)).toEqual(['hibob']);
    expect(loadConfig({}).sources).toEqual([]);
    expect(() => loadConfig({ HIBOB_WEBHOOK_SECRET: 'short' })).toThrow(/HIBOB_WEBHOOK_SECRET/);
  });

  it('names the missing variable when a source\'s secret is not set', () => {
    const { ACME_EU_BAMBOOHR_SECRET: _, ...env } = ENV;
    expect(() => loadConfig({ ...env, TENURE_CONFIG: 'examples/tenure.config.yaml' })).toThrow(/acme-eu.*ACME_EU_BAMBOOHR_SECRET/);
    expect(() => loadConfig({ ...ENV, WORKDAY_BRIDGE_SECRET: 'not-a-whsec-secret' , TENURE_CONFIG: 'examples/tenure.config.yaml' })).toThrow(/WORKDAY_BRIDGE_SECRET.*whsec_/);
    expect(() => loadConfig({ TENURE_CONFIG: '/nonexistent/tenure.config.yaml' })).toThrow(ConfigError);
  });

  it('reports every problem with its code and position', () => {
    const text = [
      'sources:', //                                   1
      '  bamboohr:', //                                2
      '    timestampTolerance: soon', //               3
      '    feilds: {}', //                             4
      '    fields:', //                                5
      '      departement: Division', //                6
      '      employmentType: { field: ES, values: { Seasonal: casual } }', // 7
      '      timezone: { field: Location, default: Mars/Olympus }', //     8
      '  hibob:', //                                   9
      '    events: { employee.joined: employee.hire }', // 10
      '  Bad Name:', //                                11
      '    kind: bamboohr', //                         12
      '  mystery:', //                                 13
      '    secretEnv: MYSTERY', //                     14
      '  ok-generic:', //                              15
      '    kind: generic', //                          16
      '    secretEnv: lower_case', //                  17
    ].join('\n');
    expect(problemsOf(text)).toEqual(['4:5 UNKNOWN_KEY', '17:16 INVALID_VALUE']);
    // Structural problems first; once the shape is right, the values are checked (the fixed text is one line shorter from line 4).
    const fixed = text.replace('    feilds: {}\n', '').replace('lower_case', 'OK_GENERIC_SECRET');
    expect(problemsOf(fixed)).toEqual([
      '3:25 BAD_DURATION',
      '5:7 UNKNOWN_KEY',
      '6:56 INVALID_VALUE',
      '7:45 BAD_TIMEZONE',
      '9:32 UNKNOWN_EVENT',
      '10:3 INVALID_VALUE',
      '12:3 MISSING_KEY',
    ]);
  });

  it('suggests the key that was meant, and refuses options that do not apply to a kind', () => {
    const [typo] = parseSourcesFile('sources:\n  hibob:\n    event: {}\n', 'f.yaml').problems;
    expect(typo).toMatchObject({ code: 'UNKNOWN_KEY', line: 3, col: 5, hint: 'did you mean events?' });
    const misplaced = parseSourcesFile('sources:\n  hibob:\n    timestampTolerance: 5m\n  generic:\n    secretEnv: X\n', 'f.yaml').problems;
    expect(misplaced.map((p) => `${p.line}:${p.col} ${p.code}`)).toEqual(['3:5 INVALID_VALUE', '4:3 INVALID_VALUE']);
  });

  it('reports YAML syntax errors and throws them from loadConfig with positions', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tenure-sources-'));
    const file = join(dir, 'tenure.config.yaml');
    writeFileSync(file, 'sources:\n  bamboohr:\n    fields: [unclosed\n');
    let error: unknown;
    try {
      loadConfig({ BAMBOOHR_WEBHOOK_SECRET: ENV.BAMBOOHR_WEBHOOK_SECRET }, dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SourcesFileError);
    expect((error as SourcesFileError).problems[0]).toMatchObject({ code: 'YAML_SYNTAX', file });
    expect((error as Error).message).toContain(`${file}:`);
    expect(readFileSync(file, 'utf8')).toContain('unclosed');
  });
});
