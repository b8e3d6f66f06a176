/**
 * The inputs of every action activity: the contract between the definition language
 * (whose `with:` schemas produce these) and the activities (which accept them).
 */

export type OrgRole = 'owner' | 'reader';
export type ProjectRole = 'owner' | 'member';

export interface InviteInput {
  email: string;
  role: OrgRole;
  /** Omitted: OpenAI adds the default project. `[]`: no project at all. */
  projects?: { id: string; role: ProjectRole }[];
}

export interface AwaitAcceptanceInput {
  email: string;
  /** Give up after this long (a duration such as `14d`); the outcome then says so. */
  timeout: string;
  /** Resend an invite that expired while waiting. */
  resendExpired: boolean;
}

export interface SetRoleInput {
  email: string;
  role: OrgRole;
}

/** Whom an action is about in HR terms: lets offboarding find them in the identity map. */
export interface Subject {
  source: string;
  employeeId: string;
}

export interface RemoveInput {
  email: string;
  /** Added by the engine: the identity map is read first, the email lookup is the fallback. */
  subject?: Subject;
}

export interface ProjectMembershipInput {
  email: string;
  projectId: string;
  role: ProjectRole;
}

export interface RemoveFromProjectInput {
  email: string;
  projectId: string;
}

export interface ScimProvisionInput {
  userName: string;
  givenName?: string;
  familyName?: string;
  externalId?: string;
}

export interface ScimUserInput {
  userName: string;
}

export interface NotifyInput {
  channel: string;
  text: string;
  /** Name of the secret holding the webhook URL; resolved by the activity, never carried as a value. */
  secret?: string;
}
