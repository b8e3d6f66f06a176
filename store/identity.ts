import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { IdentityChange } from '../activities/index.ts';
import { IDENTITY_STATUSES, LIMITS, type Database } from './schema.ts';

export type { IdentityChange } from '../activities/index.ts';

const id = z.string().max(LIMITS.openaiId).nullable().optional();

/**
 * The identity change an audit record carries. Each action declares how its outcome moves
 * the identity map (activities/actions/) and its activity returns the change; the store
 * applies it as given, knowing nothing of actions.
 */
export const identityChangeSchema: z.ZodType<IdentityChange> = z.strictObject({
  status: z.enum(IDENTITY_STATUSES.filter((s) => s !== 'none') as ['invited', 'active', 'deactivated', 'removed']),
  email: z.string().max(LIMITS.target).optional(),
  openaiUserId: id,
  inviteId: id,
  scimId: id,
  // Normalised by the store to toISOString(), so rows compare as text.
  observedAt: z.iso.datetime({ offset: true }).optional(),
});

/**
 * Writes `change` into the person's identity row (creating it), in the audit row's
 * transaction; a change observed before the one the row holds is left out (the audit row
 * still says what happened). Changes without `observedAt` apply as they arrive.
 */
export async function applyIdentityChange(trx: Kysely<Database>, source: string, employeeId: string, change: IdentityChange, at: string): Promise<void> {
  const observedAt = change.observedAt === undefined ? null : new Date(change.observedAt).toISOString();
  const update = {
    observed_at: observedAt,
    status: change.status,
    updated_at: at,
    ...(change.email !== undefined ? { email: change.email } : {}),
    ...(change.openaiUserId !== undefined ? { openai_user_id: change.openaiUserId } : {}),
    ...(change.inviteId !== undefined ? { invite_id: change.inviteId } : {}),
    ...(change.scimId !== undefined ? { scim_id: change.scimId } : {}),
  };
  await trx
    .insertInto('identities')
    .values({
      source,
      employee_id: employeeId,
      email: change.email ?? null,
      openai_user_id: change.openaiUserId ?? null,
      invite_id: change.inviteId ?? null,
      scim_id: change.scimId ?? null,
      status: change.status,
      updated_at: at,
      observed_at: observedAt,
    })
    .onConflict((oc) => {
      const upsert = oc.columns(['source', 'employee_id']).doUpdateSet(update);
      return observedAt === null ? upsert : upsert.where((eb) => eb.or([eb('identities.observed_at', 'is', null), eb('identities.observed_at', '<=', observedAt)]));
    })
    .execute();
}
