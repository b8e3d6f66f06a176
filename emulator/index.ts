/**
 * A stateful local stand-in for OpenAI's Admin API (and, later, a generic SCIM 2.0
 * service): same paths, shapes, pagination, bearer-key checks and error bodies. Tests
 * and the sandbox talk to it over HTTP. Control endpoints under `/_emulator/` answer
 * on loopback only and need no key.
 *
 *   const emulator = await startEmulator({ port: 0 });
 *   // POST `${emulator.baseUrl}/organization/invites` with `Bearer ${emulator.adminKey}`
 *   await emulator.close();
 */
export { startEmulator, generateAdminKey, type EmulatorOptions, type RunningEmulator, type ServedRequest } from './server.ts';
export { Organization, EmulatorHttpError, INVITE_TTL_DAYS, type Invite, type OrgUser, type Project, type OrgState } from './state.ts';
