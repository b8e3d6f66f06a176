import { randomBytes, randomUUID } from 'node:crypto';

/** The console's session cookie. */
export const SESSION_COOKIE = 'tenure_console';

/** How long a console session lasts from sign-in, ms. Default 8 hours. */
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;

/** A signed-in operator, as the (signed) session cookie carries it. */
export interface Session {
  operator: string;
  /** Per sign-in, so a signed-out session stays out even though its cookie is still validly signed. */
  id: string;
  /** Epoch ms. */
  expiresAt: number;
}

export function newSession(operator: string, now: number, ttlMs: number): Session {
  return { operator, id: randomUUID(), expiresAt: now + ttlMs };
}

/** The cookie's value before signing: base64url JSON. */
export function encodeSession(session: Session): string {
  return Buffer.from(JSON.stringify({ o: session.operator, i: session.id, e: session.expiresAt })).toString('base64url');
}

/** The session an (already unsigned) cookie value holds, or undefined when it holds none or has expired. */
export function decodeSession(value: string, now: number): Session | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const { o, i, e } = (parsed ?? {}) as { o?: unknown; i?: unknown; e?: unknown };
  if (typeof o !== 'string' || typeof i !== 'string' || typeof e !== 'number' || o === '') return undefined;
  if (e <= now) return undefined;
  return { operator: o, id: i, expiresAt: e };
}

/**
 * Session ids signed out before their expiry, forgotten once they would have expired anyway.
 * Per process: a restart forgets them, which matters only with TENURE_CONSOLE_SECRET set (a
 * random per-process key ends every session at restart).
 */
export class SignedOut {
  private readonly ids = new Map<string, number>();

  add(session: Session, now: number): void {
    for (const [id, expiresAt] of this.ids) if (expiresAt <= now) this.ids.delete(id);
    this.ids.set(session.id, session.expiresAt);
  }

  has(session: Session): boolean {
    return this.ids.has(session.id);
  }
}

/** A cookie-signing key for this process only: sessions end when it restarts. */
export function processKey(): string {
  return randomBytes(32).toString('base64url');
}
