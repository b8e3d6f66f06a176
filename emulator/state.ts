/**
 * The emulated organization: users, invites, projects and project members with OpenAI's
 * object shapes, plus a generic SCIM 2.0 user directory mapped onto it. Pure state and
 * rules; the HTTP layer (server.ts) maps it onto OpenAI's paths.
 */
import { randomBytes, randomUUID } from 'node:crypto';

export type OrgRole = 'owner' | 'reader';
export type ProjectRole = 'owner' | 'member';

export const ORG_ROLES: readonly OrgRole[] = ['owner', 'reader'];
export const PROJECT_ROLES: readonly ProjectRole[] = ['owner', 'member'];

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
  is_scim_managed: boolean;
}

export interface Project {
  object: 'organization.project';
  id: string;
  name: string;
  created_at: number;
  archived_at: number | null;
  status: 'active' | 'archived';
}

export interface ProjectUser {
  object: 'organization.project.user';
  id: string;
  name: string;
  email: string;
  role: ProjectRole;
  added_at: number;
}

/** A member of a project, as stored: the user id and the grant. */
export interface ProjectMembership {
  projectId: string;
  userId: string;
  role: ProjectRole;
  added_at: number;
}

/** A generic SCIM 2.0 User (RFC 7643 §4.1), as stored. Not OpenAI-specific: OpenAI publishes no SCIM contract. */
export interface ScimUser {
  schemas: string[];
  id: string;
  userName: string;
  externalId?: string;
  name?: { givenName?: string; familyName?: string; formatted?: string };
  displayName?: string;
  active: boolean;
  emails?: { value: string; type?: string; primary?: boolean }[];
  meta: { resourceType: 'User'; created: string; lastModified: string; version: string };
}

export interface OrgState {
  users: OrgUser[];
  invites: Invite[];
  projects: Project[];
  projectUsers?: ProjectMembership[];
  scimUsers?: ScimUser[];
  /** Seconds added to the wall clock by `advanceClock`. */
  clockOffset?: number;
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

/** An error the emulator's SCIM service answers with the SCIM Error schema (RFC 7644 §3.12). */
export class ScimHttpError extends Error {
  override readonly name = 'ScimHttpError';
  readonly status: number;
  readonly scimType: string | null;

  constructor(status: number, detail: string, scimType: string | null = null) {
    super(detail);
    this.status = status;
    this.scimType = scimType;
  }
}

/** Invites expire after this many days (the live value is undocumented). */
export const INVITE_TTL_DAYS = 7;

export const SCIM_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';

const ALNUM = /[^A-Za-z0-9]/g;
function id(prefix: string, length = 16): string {
  return `${prefix}${randomBytes(length * 2).toString('base64').replace(ALNUM, '').slice(0, length)}`;
}

const lower = (s: string) => s.toLowerCase();

function notFound(what: string, value: string, param: string): EmulatorHttpError {
  return new EmulatorHttpError(404, `No ${what} found with id '${value}'.`, 'invalid_request_error', param, 'not_found');
}

export class Organization {
  readonly users = new Map<string, OrgUser>();
  readonly invites = new Map<string, Invite>();
  readonly projects = new Map<string, Project>();
  /** projectId → userId → membership. */
  readonly projectUsers = new Map<string, Map<string, ProjectMembership>>();
  readonly scimUsers = new Map<string, ScimUser>();

  private readonly wallClock: () => number;
  private clockOffset = 0;
  /** Projects `seedProjects` added: a reset brings them back beside the default project. */
  private seeded: readonly { id: string; name: string }[] = [];

  /** `now` gives Unix seconds; tests pass their own clock. */
  constructor(now: () => number = () => Math.floor(Date.now() / 1000)) {
    this.wallClock = now;
    this.reset();
  }

  /** Unix seconds, including any `advanceClock`. */
  now(): number {
    return this.wallClock() + this.clockOffset;
  }

  /** Moves the organization's clock forward, e.g. past an invite's expiry. */
  advanceClock(seconds: number): number {
    this.clockOffset += seconds;
    return this.now();
  }

  /** Back to a fresh organization with only its default project. */
  reset(): void {
    this.users.clear();
    this.invites.clear();
    this.projects.clear();
    this.projectUsers.clear();
    this.scimUsers.clear();
    this.clockOffset = 0;
    this.projects.set('proj_default', {
      object: 'organization.project',
      id: 'proj_default',
      name: 'Default project',
      created_at: this.now(),
      archived_at: null,
      status: 'active',
    });
    this.addSeeded();
  }

  /**
   * Adds each of `projects` (fixed ids, as a definition names them) that the organization
   * lacks, and again after every reset. A project already there is left as it is (even archived).
   */
  seedProjects(projects: readonly { id: string; name: string }[]): void {
    this.seeded = projects;
    this.addSeeded();
  }

  private addSeeded(): void {
    for (const { id: projectId, name } of this.seeded) {
      if (!this.projects.has(projectId)) {
        this.projects.set(projectId, { object: 'organization.project', id: projectId, name, created_at: this.now(), archived_at: null, status: 'active' });
      }
    }
  }

  /** Replaces the whole state, e.g. with a snapshot saved by an earlier run. */
  restore(state: OrgState): void {
    this.reset();
    this.projects.clear();
    for (const user of state.users) this.users.set(user.id, { ...user, is_scim_managed: user.is_scim_managed ?? false });
    for (const invite of state.invites) this.invites.set(invite.id, invite);
    for (const project of state.projects) this.projects.set(project.id, project);
    for (const m of state.projectUsers ?? []) this.members(m.projectId).set(m.userId, m);
    for (const u of state.scimUsers ?? []) this.scimUsers.set(u.id, u);
    this.clockOffset = state.clockOffset ?? 0;
    this.addSeeded();
  }

  snapshot(): OrgState {
    return {
      users: [...this.users.values()],
      invites: this.listInvites(),
      projects: [...this.projects.values()],
      projectUsers: [...this.projectUsers.values()].flatMap((m) => [...m.values()]),
      scimUsers: [...this.scimUsers.values()],
      clockOffset: this.clockOffset,
    };
  }

  // Invites

  private refresh(invite: Invite): Invite {
    if (invite.status === 'pending' && invite.expires_at <= this.now()) invite.status = 'expired';
    return invite;
  }

  listInvites(): Invite[] {
    return [...this.invites.values()].map((i) => this.refresh(i));
  }

  getInvite(inviteId: string): Invite {
    const invite = this.invites.get(inviteId);
    if (!invite) throw notFound('invite', inviteId, 'invite_id');
    return this.refresh(invite);
  }

  private memberByEmail(email: string): OrgUser | undefined {
    return [...this.users.values()].find((u) => lower(u.email) === lower(email));
  }

  private pendingInvites(email: string): Invite[] {
    return this.listInvites().filter((i) => i.status === 'pending' && lower(i.email) === lower(email));
  }

  createInvite(input: { email: string; role: OrgRole; projects?: InviteProject[] | undefined }): Invite {
    const email = input.email.trim();
    if (this.memberByEmail(email)) {
      throw new EmulatorHttpError(400, `${email} is already a member of this organization.`, 'invalid_request_error', 'email', 'user_already_exists');
    }
    if (this.pendingInvites(email).length > 0) {
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
      id: id('invite-', 24),
      email,
      role: input.role,
      status: 'pending',
      created_at: created,
      invited_at: created,
      expires_at: created + INVITE_TTL_DAYS * 86_400,
      accepted_at: null,
      // Omitted means the default project (OpenAI's legacy behaviour); [] means none at all.
      projects: input.projects ?? [{ id: 'proj_default', role: 'member' }],
    };
    this.invites.set(invite.id, invite);
    return invite;
  }

  deleteInvite(inviteId: string): { object: 'organization.invite.deleted'; id: string; deleted: true } {
    const invite = this.getInvite(inviteId);
    if (invite.status === 'accepted') {
      throw new EmulatorHttpError(400, `Invite '${inviteId}' has already been accepted and cannot be deleted.`, 'invalid_request_error', 'invite_id', 'invite_already_accepted');
    }
    this.invites.delete(inviteId);
    return { object: 'organization.invite.deleted', id: inviteId, deleted: true };
  }

  /** What a person clicking the invite email does: the invite becomes a user with the invite's projects. */
  acceptInvite(inviteId: string): { invite: Invite; user: OrgUser } {
    const invite = this.getInvite(inviteId);
    if (invite.status !== 'pending') {
      throw new EmulatorHttpError(400, `Invite '${inviteId}' is ${invite.status} and cannot be accepted.`, 'invalid_request_error', 'invite_id', `invite_${invite.status}`);
    }
    const now = this.now();
    const scim = this.scimByUserName(invite.email);
    const user = this.memberByEmail(invite.email) ?? this.addUser({ email: invite.email, role: invite.role, scimManaged: scim !== undefined });
    for (const p of invite.projects) {
      const project = this.projects.get(p.id);
      if (project?.status === 'active' && !this.members(p.id).has(user.id)) {
        this.members(p.id).set(user.id, { projectId: p.id, userId: user.id, role: p.role, added_at: now });
      }
    }
    invite.status = 'accepted';
    invite.accepted_at = now;
    return { invite, user };
  }

  /** Makes a pending invite expire now, as if its lifetime had passed. */
  expireInvite(inviteId: string): Invite {
    const invite = this.getInvite(inviteId);
    if (invite.status !== 'pending') {
      throw new EmulatorHttpError(400, `Invite '${inviteId}' is ${invite.status}, not pending.`, 'invalid_request_error', 'invite_id', `invite_${invite.status}`);
    }
    invite.expires_at = this.now();
    return this.refresh(invite);
  }

  // Users

  /** Adds a member directly (a control endpoint and SCIM use it; the Admin API cannot). */
  addUser(input: { email: string; role: OrgRole; name?: string | undefined; scimManaged?: boolean }): OrgUser {
    const email = input.email.trim();
    if (this.memberByEmail(email)) {
      throw new EmulatorHttpError(400, `${email} is already a member of this organization.`, 'invalid_request_error', 'email', 'user_already_exists');
    }
    const user: OrgUser = {
      object: 'organization.user',
      id: id('user-', 24),
      name: input.name ?? email.split('@')[0] ?? email,
      email,
      role: input.role,
      added_at: this.now(),
      is_scim_managed: input.scimManaged ?? false,
    };
    this.users.set(user.id, user);
    return user;
  }

  listUsers(emails: string[] = []): OrgUser[] {
    const wanted = new Set(emails.map(lower));
    return [...this.users.values()].filter((u) => wanted.size === 0 || wanted.has(lower(u.email)));
  }

  getUser(userId: string): OrgUser {
    const user = this.users.get(userId);
    if (!user) throw notFound('user', userId, 'user_id');
    return user;
  }

  modifyUser(userId: string, input: { role?: string | null | undefined }): OrgUser {
    const user = this.getUser(userId);
    if (input.role !== undefined && input.role !== null) {
      if (!ORG_ROLES.includes(input.role as OrgRole)) {
        throw new EmulatorHttpError(400, `Invalid role '${input.role}': expected one of ${ORG_ROLES.join(', ')}.`, 'invalid_request_error', 'role', null);
      }
      user.role = input.role as OrgRole;
    }
    return user;
  }

  deleteUser(userId: string): { object: 'organization.user.deleted'; id: string; deleted: true } {
    this.getUser(userId);
    this.users.delete(userId);
    for (const members of this.projectUsers.values()) members.delete(userId);
    return { object: 'organization.user.deleted', id: userId, deleted: true };
  }

  // Projects

  listProjects(includeArchived = false): Project[] {
    return [...this.projects.values()].filter((p) => includeArchived || p.status === 'active');
  }

  getProject(projectId: string): Project {
    const project = this.projects.get(projectId);
    if (!project) throw notFound('project', projectId, 'project_id');
    return project;
  }

  createProject(input: { name: string }): Project {
    const project: Project = { object: 'organization.project', id: id('proj_', 24), name: input.name, created_at: this.now(), archived_at: null, status: 'active' };
    this.projects.set(project.id, project);
    return project;
  }

  modifyProject(projectId: string, input: { name?: string | null | undefined }): Project {
    const project = this.getProject(projectId);
    if (projectId === 'proj_default') throw new EmulatorHttpError(400, 'The default project cannot be modified.', 'invalid_request_error', 'project_id', null);
    if (project.status === 'archived') throw this.archived(projectId);
    if (typeof input.name === 'string') project.name = input.name;
    return project;
  }

  archiveProject(projectId: string): Project {
    const project = this.getProject(projectId);
    if (projectId === 'proj_default') throw new EmulatorHttpError(400, 'The default project cannot be archived.', 'invalid_request_error', 'project_id', null);
    if (project.status !== 'archived') {
      project.status = 'archived';
      project.archived_at = this.now();
      this.projectUsers.delete(projectId);
    }
    return project;
  }

  // Project users

  private archived(projectId: string): EmulatorHttpError {
    return new EmulatorHttpError(400, `Project '${projectId}' is archived: archived projects have no users.`, 'invalid_request_error', 'project_id', null);
  }

  private members(projectId: string): Map<string, ProjectMembership> {
    let members = this.projectUsers.get(projectId);
    if (!members) this.projectUsers.set(projectId, (members = new Map()));
    return members;
  }

  private activeProject(projectId: string): Project {
    const project = this.getProject(projectId);
    if (project.status === 'archived') throw this.archived(projectId);
    return project;
  }

  private projectUser(m: ProjectMembership): ProjectUser {
    const user = this.getUser(m.userId);
    return { object: 'organization.project.user', id: user.id, name: user.name, email: user.email, role: m.role, added_at: m.added_at };
  }

  listProjectUsers(projectId: string): ProjectUser[] {
    this.activeProject(projectId);
    return [...this.members(projectId).values()].map((m) => this.projectUser(m));
  }

  getProjectUser(projectId: string, userId: string): ProjectUser {
    this.activeProject(projectId);
    const m = this.members(projectId).get(userId);
    if (!m) throw new EmulatorHttpError(404, `User '${userId}' is not a member of project '${projectId}'.`, 'invalid_request_error', 'user_id', 'not_found');
    return this.projectUser(m);
  }

  addProjectUser(projectId: string, input: { user_id?: string | null | undefined; email?: string | null | undefined; role: ProjectRole }): ProjectUser {
    this.activeProject(projectId);
    const user = input.user_id ? this.users.get(input.user_id) : input.email ? this.memberByEmail(input.email) : undefined;
    if (!input.user_id && !input.email) throw new EmulatorHttpError(400, 'Either user_id or email is required.', 'invalid_request_error', 'user_id', null);
    if (!user) {
      throw new EmulatorHttpError(400, `User '${input.user_id ?? input.email}' is not a member of this organization: invite them first.`, 'invalid_request_error', input.user_id ? 'user_id' : 'email', null);
    }
    if (this.members(projectId).has(user.id)) {
      throw new EmulatorHttpError(400, `User '${user.id}' is already a member of project '${projectId}'.`, 'invalid_request_error', 'user_id', 'user_already_in_project');
    }
    const m: ProjectMembership = { projectId, userId: user.id, role: input.role, added_at: this.now() };
    this.members(projectId).set(user.id, m);
    return this.projectUser(m);
  }

  modifyProjectUser(projectId: string, userId: string, input: { role?: string | null | undefined }): ProjectUser {
    this.getProjectUser(projectId, userId);
    const m = this.members(projectId).get(userId) as ProjectMembership;
    if (input.role !== undefined && input.role !== null) {
      if (!PROJECT_ROLES.includes(input.role as ProjectRole)) {
        throw new EmulatorHttpError(400, `Invalid role '${input.role}': expected one of ${PROJECT_ROLES.join(', ')}.`, 'invalid_request_error', 'role', null);
      }
      m.role = input.role as ProjectRole;
    }
    return this.projectUser(m);
  }

  removeProjectUser(projectId: string, userId: string): { object: 'organization.project.user.deleted'; id: string; deleted: true } {
    this.getProjectUser(projectId, userId);
    this.members(projectId).delete(userId);
    return { object: 'organization.project.user.deleted', id: userId, deleted: true };
  }

  // Generic SCIM 2.0 users, mapped onto the organization the way OpenAI's documented flow
  // does: an active SCIM user gets a pending invite (or is the member already); deactivating
  // or deleting removes the member or revokes the pending invite.

  private scimByUserName(userName: string): ScimUser | undefined {
    return [...this.scimUsers.values()].find((u) => lower(u.userName) === lower(userName));
  }

  listScimUsers(): ScimUser[] {
    return [...this.scimUsers.values()];
  }

  getScimUser(scimId: string): ScimUser {
    const user = this.scimUsers.get(scimId);
    if (!user) throw new ScimHttpError(404, `Resource ${scimId} not found`);
    return user;
  }

  private grantAccess(userName: string): void {
    const member = this.memberByEmail(userName);
    if (member) {
      member.is_scim_managed = true;
      return;
    }
    // SCIM-provisioned users land in no project (third-party reports on OpenAI's API platform).
    if (this.pendingInvites(userName).length === 0) this.createInvite({ email: userName, role: 'reader', projects: [] });
  }

  private revokeAccess(userName: string): void {
    const member = this.memberByEmail(userName);
    if (member) this.deleteUser(member.id);
    for (const invite of this.pendingInvites(userName)) this.invites.delete(invite.id);
  }

  private scimStamp(user: ScimUser, created: string): void {
    const now = new Date(this.now() * 1000).toISOString();
    const version = Number(/W\/"(\d+)"/.exec(user.meta?.version ?? '')?.[1] ?? 0) + 1;
    user.meta = { resourceType: 'User', created, lastModified: now, version: `W/"${version}"` };
  }

  createScimUser(input: Omit<ScimUser, 'id' | 'meta' | 'schemas'> & { schemas?: string[] }): ScimUser {
    if (this.scimByUserName(input.userName)) throw new ScimHttpError(409, `userName '${input.userName}' is already in use`, 'uniqueness');
    const user = { ...input, schemas: [SCIM_USER_SCHEMA], id: randomUUID(), active: input.active ?? true } as ScimUser;
    this.scimStamp(user, new Date(this.now() * 1000).toISOString());
    if (user.active) this.grantAccess(user.userName);
    this.scimUsers.set(user.id, user);
    return user;
  }

  /** Replaces a SCIM user's attributes (PUT, and the result of a PATCH), applying `active` changes to the organization. */
  replaceScimUser(scimId: string, next: Omit<ScimUser, 'id' | 'meta' | 'schemas'>): ScimUser {
    const current = this.getScimUser(scimId);
    const clash = this.scimByUserName(next.userName);
    if (clash && clash.id !== scimId) throw new ScimHttpError(409, `userName '${next.userName}' is already in use`, 'uniqueness');
    const user = { ...next, schemas: [SCIM_USER_SCHEMA], id: scimId, active: next.active ?? true, meta: current.meta } as ScimUser;
    if (current.active && (!user.active || lower(current.userName) !== lower(user.userName))) this.revokeAccess(current.userName);
    if (user.active && (!current.active || lower(current.userName) !== lower(user.userName))) this.grantAccess(user.userName);
    this.scimStamp(user, current.meta.created);
    this.scimUsers.set(scimId, user);
    return user;
  }

  deleteScimUser(scimId: string): void {
    const user = this.getScimUser(scimId);
    if (user.active) this.revokeAccess(user.userName);
    this.scimUsers.delete(scimId);
  }
}
