import { expect } from '@jest/globals';
import type { buildTriggerServer } from '../../triggers/index.ts';

/** The cookies a response sets, name → the whole Set-Cookie line. */
export function setCookies(headers: Record<string, unknown>): Map<string, string> {
  const raw = headers['set-cookie'];
  const lines = raw === undefined ? [] : Array.isArray(raw) ? (raw as string[]) : [String(raw)];
  return new Map(lines.map((line) => [line.slice(0, line.indexOf('=')), line]));
}

/** `name=value` of a Set-Cookie line, for a Cookie header. */
export const cookiePair = (line: string) => line.split(';')[0]!;

/** The CSRF token a console page's forms carry. */
export function csrfOf(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  expect(token).toBeDefined();
  return token!;
}

let clients = 0;
/**
 * Signs in to the console over `inject`, as a browser would: the form's CSRF token and cookie,
 * then the token. Each call comes from an address of its own, as separate operators' browsers
 * would (sign-ins are limited per address). Returns the Cookie header to send.
 */
export async function signIn(app: ReturnType<typeof buildTriggerServer>, token: string): Promise<string> {
  const form = await app.inject({ method: 'GET', url: '/console/sign-in' });
  const csrfCookie = cookiePair(setCookies(form.headers).get('tenure_csrf')!);
  clients++;
  const answer = await app.inject({
    method: 'POST',
    url: '/console/sign-in',
    remoteAddress: `10.0.${Math.floor(clients / 250)}.${(clients % 250) + 1}`,
    headers: { cookie: csrfCookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: csrfOf(form.body), token }).toString(),
  });
  expect([answer.statusCode, answer.headers.location]).toEqual([303, '/console/needs']);
  return `${csrfCookie}; ${cookiePair(setCookies(answer.headers).get('tenure_console')!)}`;
}
