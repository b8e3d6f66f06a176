/**
 * The emulated organization: users, invites and projects, with OpenAI's object shapes.
 * Pure state and rules; the HTTP layer (server.ts) maps it onto OpenAI's paths.
 */
import { randomBytes } from 'node:crypto';

export type OrgRole = 'owner' | 'reader';
export type ProjectRole = 'owner' | 'member';

export interface InviteProject {
  id: string;
  role: ProjectRole;
}

export interface Invite {
  object: 'organization.invite';
  id: string;
  email: string;
  role: OrgRole;
  status: 'pending' | 'accepted' | 'expired';
  /** Unix seconds. OpenAI's newer spec calls it `created_at`; older clients read `invited_at`: both are sent. */
  created_at: number;
  invited_at: number;
  expires_at: number;
  accepted_at: number | null;
  projects: InviteProject[];
}

export interface OrgUser {
  object: 'organization.user';
  id: string;
  name: string;
  email: string;
  role: OrgRole;
  added_at: number;
}

export interface Project {
  object: 'organization.project';
  id: string;
  name: string;
  created_at: number;
  archived_at: number | null;
  status: 'active' | 'archived';
}

export interface OrgState {
  users: OrgUser[];
  invites: Invite[];
  projects: Project[];
}

/** An error the emulator answers with OpenAI's error body. */
export class EmulatorHttpError extends Error {
  override readonly name = 'EmulatorHttpError';
  readonly status: number;
  readonly type: string;
  readonly param: string | null;
  readonly code: string | null;

  constructor(status: number, message: string, type = 'invalid_request_error', param: string | null = null, code: string | null = null) {
    super(message);
    this.status = status;
    this.type = type;
    this.param = param;
    this.code = code;
  }
}

/** Invites expire after this many days (the live value is undocumented). */
export const INVITE_TTL_DAYS = 7;

function id(prefix: string): string {
  return `${prefix}${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;
}

export class Organization {
  readonly users = new Map<string, OrgUser>();
  readonly invites = new Map<string, Invite>();
  readonly projects = new Map<string, Project>();

  private readonly now: () => number;

  /** `now` gives Unix seconds; tests pass their own clock. */
  constructor(now: () => number = () => Math.floor(Date.now() / 1000)) {
    this.now = now;
    this.reset();
  }

  /** Back to a fresh organization with only its default project. */
  reset(): void {
    this.users.clear();
    this.invites.clear();
    this.projects.clear();
    const created = this.now();
    this.projects.set('proj_default', {
      object: 'organization.project',
      id: 'proj_default',
      name: 'Default project',
      created_at: created,
      archived_at: null,
      status: 'active',
    });
  }

  /** Replaces the whole state, e.g. with a snapshot saved by an earlier run. */
  restore(state: OrgState): void {
    this.users.clear();
    this.invites.clear();
    this.projects.clear();
    for (const user of state.users) this.users.set(user.id, user);
    for (const invite of state.invites) this.invites.set(invite.id, invite);
    for (const project of state.projects) this.projects.set(project.id, project);
  }

  snapshot(): OrgState {
    return {
      users: [...this.users.values()],
      invites: [...this.invites.values()].map((i) => this.refresh(i)),
      projects: [...this.projects.values()],
    };
  }

  private refresh(invite: Invite): Invite {
    if (invite.status === 'pending' && invite.expires_at <= this.now()) invite.status = 'expired';
    return invite;
  }

  listInvites(): Invite[] {
    return [...this.invites.values()].map((i) => this.refresh(i));
  }

  getInvite(inviteId: string): Invite {
    const invite = this.invites.get(inviteId);
    if (!invite) throw new EmulatorHttpError(404, `No invite found with id '${inviteId}'.`, 'invalid_request_error', 'invite_id', 'not_found');
    return this.refresh(invite);
  }

  createInvite(input: { email: string; role: OrgRole; projects?: InviteProject[] | undefined }): Invite {
    const email = input.email.trim();
    const lower = email.toLowerCase();
    if ([...this.users.values()].some((u) => u.email.toLowerCase() === lower)) {
      throw new EmulatorHttpError(400, `${email} is already a member of this organization.`, 'invalid_request_error', 'email', 'user_already_exists');
    }
    if (this.listInvites().some((i) => i.status === 'pending' && i.email.toLowerCase() === lower)) {
      throw new EmulatorHttpError(400, `An invite for ${email} is already pending.`, 'invalid_request_error', 'email', 'invite_already_exists');
    }
    for (const [index, p] of (input.projects ?? []).entries()) {
      const project = this.projects.get(p.id);
      if (!project) throw new EmulatorHttpError(400, `No project found with id '${p.id}'.`, 'invalid_request_error', `projects[${index}].id`, null);
      if (project.status === 'archived') throw new EmulatorHttpError(400, `Project '${p.id}' is archived.`, 'invalid_request_error', `projects[${index}].id`, null);
    }
    const created = this.now();
    const invite: Invite = {
      object: 'organization.invite',
      id: id('invite-'),
      email,
      role: input.role,
      status: 'pending',
      created_at: created,
      invited_at: created,
      expires_at: created + INVITE_TTL_DAYS * 86_400,
      accepted_at: null,
      projects: input.projects ?? [{ id: 'proj_default', role: 'member' }],
    };
    this.invites.set(invite.id, invite);
    return invite;
  }
}
