// The vendor event files in examples/ (used with `tenure send --as …`) are accepted by
// their adapters as the docs say, so the examples cannot drift from the code.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { Secret } from '../../../config/index.ts';
import { needsEnrichment } from '../../../events/index.ts';
import { bamboohrSource, genericSource, hibobSource, signAs } from '../../../triggers/index.ts';

const secret = new Secret('example-secret-0123456789');
const generic = new Secret('whsec_ZXhhbXBsZXMgdGVzdCBzZWNyZXQgMDEyMzQ1Njc4OQ==');
const read = (file: string) => readFileSync(`examples/${file}`, 'utf8');

describe('examples/', () => {
  it('hire.json is a generic HrEvent', () => {
    const body = read('hire.json');
    const { events } = genericSource(generic).accept({ rawBody: body, headers: signAs('generic', generic, body) });
    expect(events.map((e) => [e.type, e.employee.id])).toEqual([['employee.hired', 'E-1001']]);
  });

  it('bamboohr-fields.json: one delivery, a hire and a termination, both complete', () => {
    const body = read('bamboohr-fields.json');
    const { events } = bamboohrSource({ secrets: [secret] }).accept({ rawBody: body, headers: signAs('bamboohr', secret, body) });
    expect(events.map((e) => [e.type, e.employee.id, e.employee.email, needsEnrichment(e)])).toEqual([
      ['employee.hired', '1187', 'r.ortiz@example.com', false],
      ['employee.departed', '1042', 'l.chen@example.com', false],
    ]);
  });

  it.each([
    ['bamboohr-employee-created.json', 'bamboohr', 'employee.hired'],
    ['hibob-employee-created.json', 'hibob', 'employee.hired'],
    ['hibob-employee-left.json', 'hibob', 'employee.departed'],
  ] as const)('%s is a thin %s event that asks for enrichment', (file, kind, type) => {
    const body = read(file);
    // A HiBob example is as fresh as its triggeredAt (`tenure send` stamps the current time on it).
    const triggeredAt = Date.parse(`${(JSON.parse(body) as { triggeredAt?: string }).triggeredAt}Z`);
    const source = kind === 'bamboohr' ? bamboohrSource({ secrets: [secret] }) : hibobSource({ secrets: [secret], now: () => triggeredAt });
    const [event] = source.accept({ rawBody: body, headers: signAs(kind, secret, body) }).events;
    expect(event?.type).toBe(type);
    expect(event && needsEnrichment(event) && event.enrichment.vendor).toBe(kind);
  });
});
