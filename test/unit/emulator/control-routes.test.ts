// The emulator's control routes answer on loopback only, however the URL spells them:
// the check is on the route the router matched, not on the raw URL.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildEmulator, Faults, HrDirectory, Organization } from '../../../emulator/index.ts';

describe('control routes from elsewhere than loopback', () => {
  const organization = new Organization();
  const app = buildEmulator({ organization, adminKey: 'sk-admin-test', scimToken: 'sk-admin-test', log: [], faults: new Faults(), hris: new HrDirectory() });
  beforeAll(async () => {
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
  });

  let kept = 0;
  it.each(['/_emulator/reset', '/%5Femulator/reset', '/%5femulator/reset', '/_emulator%2Freset'])('POST %s from 10.0.0.5 is refused, and changes nothing', async (url) => {
    organization.createInvite({ email: `kept-${++kept}@example.com`, role: 'reader' });
    const before = organization.listInvites().length;
    const answer = await app.inject({ method: 'POST', url, remoteAddress: '10.0.0.5' });
    expect([401, 403, 404]).toContain(answer.statusCode);
    expect(organization.listInvites()).toHaveLength(before);
  });

  it('the same routes answer on loopback', async () => {
    const answer = await app.inject({ method: 'GET', url: '/%5Femulator/state', remoteAddress: '127.0.0.1' });
    expect(answer.statusCode).toBe(200);
  });
});
