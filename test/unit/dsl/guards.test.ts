import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { documentFindings, MAX_NESTING, nestingOffset, secretFindings } from '../../../dsl/guards.ts';

describe('the nesting pre-scan', () => {
  it('passes every shipped, documented and valid definition', () => {
    const texts = [
      ...readdirSync('definitions').map((f) => readFileSync(`definitions/${f}`, 'utf8')),
      ...readdirSync('test/fixtures/definitions/valid').map((f) => readFileSync(`test/fixtures/definitions/valid/${f}`, 'utf8')),
      readFileSync('docs/definitions.md', 'utf8'),
    ];
    for (const text of texts) expect(nestingOffset(text)).toBeUndefined();
  });

  it('does not count brackets inside quoted, plain and block scalars', () => {
    const text = [
      `a: "${'['.repeat(200)}"`,
      `b: '${'{'.repeat(200)} it''s'`,
      `c: plain ${'['.repeat(200)}`,
      'd: |',
      `  ${'['.repeat(200)}`,
      `e: x # ${'['.repeat(200)}`,
    ].join('\n');
    expect(nestingOffset(text)).toBeUndefined();
  });

  it('finds where flow, block and dash nesting pass the limit', () => {
    const flow = `a: ${'['.repeat(MAX_NESTING + 5)}${']'.repeat(MAX_NESTING + 5)}`;
    expect(nestingOffset(flow)).toBe(3 + MAX_NESTING - 1);
    const block = Array.from({ length: MAX_NESTING + 5 }, (_, i) => `${' '.repeat(i)}k:`).join('\n');
    expect(nestingOffset(block)).toBeDefined();
    expect(nestingOffset(`- ${'- '.repeat(MAX_NESTING + 5)}x`)).toBeDefined();
    expect(nestingOffset(`a: ${'['.repeat(MAX_NESTING - 2)}${']'.repeat(MAX_NESTING - 2)}`)).toBeUndefined();
  });

  it('stays linear on a hostile megabyte', () => {
    // Not a timing assertion: a quadratic scan of 1 MB would not finish within the test timeout.
    expect(nestingOffset('['.repeat(1 << 20))).toBe(MAX_NESTING - 1);
  });
});

describe('document findings', () => {
  it('lets a few aliases through', () => {
    expect(documentFindings(parseDocument('a: &x { b: 1 }\nc: *x\nd: *x\n'))).toEqual([]);
  });

  it('refuses aliases nested past the limit once expanded', () => {
    let text = 'l0: &l0 [x]\n';
    for (let i = 1; i <= MAX_NESTING + 2; i++) text += `l${i}: &l${i} [*l${i - 1}]\n`;
    expect(documentFindings(parseDocument(text)).map((f) => f.code)).toEqual(['TOO_DEEP']);
  });

  it('spots credentials but not ordinary text', () => {
    const doc = parseDocument(
      [
        'a: sk-proj-abcdefghijklmnopqrstuvwxyz0123',
        'b: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        'c: xoxb-123456789012-abcdefghij',
        'd: postgres://app:hunter2@db.internal/tenure',
        'e: Bearer abcdefghijklmnopqrstuvwxyz012345',
        'f: -----BEGIN RSA PRIVATE KEY-----',
        'g: ask the desk at https://example.com/it, sk-1 is a ticket id',
        'h: ${{ employee.email }}',
      ].join('\n'),
    );
    expect(secretFindings(doc).map((f) => f.message.replace(/^this looks like (.+?);.*$/, '$1'))).toEqual([
      'an OpenAI API key',
      'a webhook signing secret',
      'a Slack token',
      'a password in a URL',
      'a bearer token',
      'a private key',
    ]);
  });
});
