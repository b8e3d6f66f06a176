/**
 * The operator console: server-rendered pages on the trigger server at `/console`, behind
 * a sign-in with an operator's bearer token (see `admin/auth.ts`), for what needs a person,
 * people, runs, the audit log, the definitions in force and the latest drift.
 *
 *   buildTriggerServer({ …, console: { store, authenticate, definitions: () => registry, namespace, temporalUiUrl, sessionKey } });
 */
export { operatorConsole, type ConsoleOptions } from './console.ts';
export { SESSION_COOKIE, SESSION_TTL_MS } from './session.ts';
