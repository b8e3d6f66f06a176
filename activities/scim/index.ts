/**
 * A SCIM 2.0 (RFC 7643/7644) client and the `openai.scim.*` actions built on it. Generic
 * SCIM, following identity-provider conventions; nothing OpenAI-specific is assumed, as
 * OpenAI publishes no SCIM contract. Base URL and token are configuration
 * (OPENAI_SCIM_BASE_URL, OPENAI_SCIM_TOKEN).
 *
 *   const scim = new ScimClient({ baseUrl: 'https://idp.example/scim/v2', token: new Secret(t), timeoutMs: 30_000 });
 *   const { user, created } = await scim.createUser({ userName: 'ada@example.com' });
 *   await scim.setActive(user.id, false);
 */
export { ScimClient, sameUserName, SCIM_USER_SCHEMA, SCIM_PATCH_SCHEMA, type ScimClientOptions, type ScimUser, type NewScimUser, type PatchOperation } from './client.ts';
export { scimProvision, scimDeactivate, scimReactivate } from './actions.ts';
