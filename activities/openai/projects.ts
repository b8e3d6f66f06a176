import type { ActionResult } from '../results.ts';
import type { ProjectMembershipInput, RemoveFromProjectInput } from '../contract.ts';
import type { AdminClient, ProjectUser } from './admin-client.ts';
import { ActionRefusedError, OpenAIConflictError, OpenAIInvalidRequestError } from './errors.ts';
import { findMember } from './lookup.ts';
import { ignoreNotFound } from './members.ts';

async function membership(client: AdminClient, projectId: string, userId: string): Promise<ProjectUser | undefined> {
  return ignoreNotFound(() => client.retrieveProjectUser(projectId, userId));
}

/**
 * `openai.addToProject`: `created` when added, `updated` when the project role changed,
 * `noop` when it already was. The person must be a member of the organization (OpenAI's
 * rule); an unknown project fails the step with OPENAI_NOT_FOUND.
 */
export async function addToProject(client: AdminClient, input: ProjectMembershipInput): Promise<ActionResult> {
  const member = await findMember(client, input.email);
  if (!member) {
    throw new ActionRefusedError('OPENAI_NOT_A_MEMBER', `${input.email} is not a member of the OpenAI organization yet, so cannot join project ${input.projectId}: put an openai.awaitAcceptance step first`);
  }
  // Retrieving the project first tells "no such project" apart from "not in the project".
  await client.retrieveProject(input.projectId);
  const ids = { userId: member.id, projectId: input.projectId };
  let existing = await membership(client, input.projectId, member.id);
  if (!existing) {
    try {
      await client.addProjectUser(input.projectId, { userId: member.id, role: input.role });
      return { outcome: 'created', target: input.email, openaiIds: ids, output: { ...ids, role: input.role } };
    } catch (error) {
      if (!(error instanceof OpenAIInvalidRequestError || error instanceof OpenAIConflictError)) throw error;
      existing = await membership(client, input.projectId, member.id);
      if (!existing) throw error;
    }
  }
  if (existing.role === input.role) return { outcome: 'noop', target: input.email, openaiIds: ids, output: { ...ids, role: existing.role } };
  await client.modifyProjectUserRole(input.projectId, member.id, input.role);
  return { outcome: 'updated', target: input.email, openaiIds: ids, output: { ...ids, role: input.role, previousRole: existing.role } };
}

/** `openai.removeFromProject`: `removed`, or `noop` when the person is not in the project (or not in the organization). */
export async function removeFromProject(client: AdminClient, input: RemoveFromProjectInput): Promise<ActionResult> {
  const member = await findMember(client, input.email);
  if (!member) return { outcome: 'noop', target: input.email, openaiIds: { projectId: input.projectId }, output: { status: 'not-a-member' } };
  const ids = { userId: member.id, projectId: input.projectId };
  const existing = await membership(client, input.projectId, member.id);
  if (!existing) return { outcome: 'noop', target: input.email, openaiIds: ids, output: { ...ids, status: 'not-in-project' } };
  const deleted = await ignoreNotFound(() => client.removeProjectUser(input.projectId, member.id));
  return { outcome: deleted ? 'removed' : 'noop', target: input.email, openaiIds: ids, output: { ...ids, status: 'removed' } };
}
