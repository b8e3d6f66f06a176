/**
 * A stateful local stand-in for OpenAI's Admin API (invites, users, projects, project
 * users) and a generic SCIM 2.0 Users service (`/v1/scim/v2`, RFC 7643/7644 — not
 * OpenAI-specific): same paths, shapes, ids, pagination, bearer-key checks and error
 * bodies. Tests and the sandbox talk to it over HTTP. Control endpoints under
 * `/_emulator/` answer on loopback only and need no key: `GET state`, `GET requests`,
 * `POST reset`, `POST invites/:id/accept`, `POST invites/:id/expire`, `POST users`,
 * `POST clock`, and `GET|POST|DELETE faults` (429 with Retry-After, 5xx, latency, drops).
 * Beside it, HR emulators of BambooHR, HiBob and Merge's read APIs under `/hris/<vendor>`
 * (see emulator/hris/routes.ts), set up with `PUT|DELETE /_emulator/hris/<vendor>/employees/<id>`
 * (the vendor's own record JSON) and listed with `GET /_emulator/hris/<vendor>/employees`.
 *
 *   const emulator = await startEmulator({ port: 0 });
 *   // POST `${emulator.baseUrl}/organization/invites` with `Bearer ${emulator.adminKey}`
 *   emulator.faults.set({ seed: 7, rules: [{ path: '/v1/**', rate: 0.3, kind: 'status', status: 429, retryAfter: 1, ms: 0, when: 'before' }] });
 *   await emulator.close();
 */
export { startEmulator, buildEmulator, generateAdminKey, type EmulatorOptions, type RunningEmulator, type ServedRequest } from './server.ts';
export {
  Organization,
  EmulatorHttpError,
  ScimHttpError,
  INVITE_TTL_DAYS,
  type Invite,
  type OrgUser,
  type Project,
  type ProjectUser,
  type ProjectMembership,
  type ScimUser,
  type OrgState,
} from './state.ts';
export { Faults, faultsSchema, faultRuleSchema, seededRandom, type FaultRule, type FaultsConfig } from './faults.ts';
export { SCIM_MEDIA_TYPE } from './scim.ts';
export { SANDBOX_PROJECTS } from './sandbox-projects.ts';
export { HrDirectory, seedHrDirectory, HR_VENDORS, type HrEmulatorVendor, type HrDirectoryState, type VendorRecord } from './hris/directory.ts';
export { DEFAULT_HR_CREDENTIALS, HRIS_PREFIXES, type HrCredentials } from './hris/routes.ts';
