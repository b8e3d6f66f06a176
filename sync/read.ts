import { matchPlans, type Plan } from '../dsl/index.ts';
import type { HrConnector } from '../hris/index.ts';
import type { Identity } from '../store/index.ts';
import type { AdminClient } from '../activities/index.ts';
import { classify, type Classification, type HrRecord, type OpenAIInvite, type OpenAIMember } from './classify.ts';

/** Why a sync stops before acting: HR could not be read, or what it listed is not believable. */
export type SyncStopType = 'HR_NOT_CONFIGURED' | 'HR_API_UNAVAILABLE' | 'HR_API_UNAUTHORIZED' | 'HR_API_INVALID' | 'HR_DIRECTORY_EMPTY' | 'HR_DIRECTORY_SHRUNK';

/** A sync that must stop: nothing is acted on, and the type and message say why. */
export class SyncStoppedError extends Error {
  override readonly name = 'SyncStoppedError';
  readonly type: SyncStopType;
  constructor(type: SyncStopType, message: string) {
    super(message);
    this.type = type;
  }
}

export interface DirectoryReaders {
  connectors: readonly HrConnector[];
  openai: Pick<AdminClient, 'listUsers' | 'listInvites'>;
  identities: () => AsyncIterable<Identity>;
}

export interface ReadOptions {
  plans: readonly Plan[];
  now: Date;
  /** People each HR source listed at the last sync; a source that shrank by more than `maxShrink` stops the sync. */
  previous?: Readonly<Record<string, number>> | undefined;
  /** At most this many fewer people than `previous` per source (TENURE_SYNC_MAX_CHANGES). */
  maxShrink: number;
  /** Called after every page read (activities heartbeat here). */
  progress?: (what: string) => void;
  signal?: AbortSignal | undefined;
}

export interface DirectoryReading extends Classification {
  /** People per HR source. */
  hr: Record<string, number>;
  openai: { members: number; invites: number };
}

function hrFailure(connector: HrConnector, error: unknown): SyncStoppedError {
  const type = (error as { type?: unknown }).type;
  const known = type === 'HR_API_UNAVAILABLE' || type === 'HR_API_UNAUTHORIZED' || type === 'HR_API_INVALID' ? type : 'HR_API_UNAVAILABLE';
  return new SyncStoppedError(known, `reading ${connector.vendor} (source ${connector.source}) failed: ${(error as Error).message}. Nothing was changed; the next sync tries again.`);
}

/**
 * Reads every HR directory (every page), the OpenAI organization (users and invites,
 * every page) and the identity map, checks that HR's answer is believable, and
 * classifies. Throws {@link SyncStoppedError} when HR cannot be read, lists nobody, or
 * shrank by more than `maxShrink` since the last sync: absence is never departure.
 */
export async function readAndClassify(readers: DirectoryReaders, options: ReadOptions): Promise<DirectoryReading> {
  if (readers.connectors.length === 0) {
    throw new SyncStoppedError('HR_NOT_CONFIGURED', 'no HR connector is configured: set the credentials of BambooHR, HiBob or Merge (docs/sync.md) for the worker');
  }
  const people: HrRecord[] = [];
  const hr: Record<string, number> = {};
  for (const connector of readers.connectors) {
    let count = 0;
    try {
      for await (const page of connector.listPeople(options.signal ? { signal: options.signal } : {})) {
        for (const person of page) people.push({ source: connector.source, person });
        count += page.length;
        options.progress?.(`${connector.source}: ${count} people`);
      }
    } catch (error) {
      throw hrFailure(connector, error);
    }
    hr[connector.source] = (hr[connector.source] ?? 0) + count;
  }
  for (const [source, count] of Object.entries(hr)) {
    if (count === 0) {
      throw new SyncStoppedError('HR_DIRECTORY_EMPTY', `${source} listed nobody: an empty directory is taken for a fault, not for everyone leaving. Nothing was changed.`);
    }
    const before = options.previous?.[source];
    if (before !== undefined && before - count > options.maxShrink) {
      throw new SyncStoppedError(
        'HR_DIRECTORY_SHRUNK',
        `${source} listed ${count} people, ${before - count} fewer than at the last sync (${before}), more than TENURE_SYNC_MAX_CHANGES (${options.maxShrink}). Nothing was changed; check HR, then raise the limit for one sync if it is right.`,
      );
    }
  }

  const members: OpenAIMember[] = [];
  for await (const user of readers.openai.listUsers()) {
    members.push({ id: user.id, email: user.email ?? null });
    if (members.length % 1000 === 0) options.progress?.(`OpenAI: ${members.length} members`);
  }
  const invites: OpenAIInvite[] = [];
  for await (const invite of readers.openai.listInvites()) {
    if (invite.status !== 'accepted') invites.push({ id: invite.id, email: invite.email, status: invite.status });
  }
  const identities: Identity[] = [];
  for await (const identity of readers.identities()) identities.push(identity);
  options.progress?.('classifying');

  const hires = options.plans.filter((p) => 'event' in p.trigger && p.trigger.event === 'employee.hired');
  const classification = classify({
    people,
    members,
    invites,
    identities,
    now: options.now,
    wantsAccess: (event) => matchPlans(hires, event).matched.length > 0,
  });
  return { ...classification, hr, openai: { members: members.length, invites: invites.filter((i) => i.status === 'pending').length } };
}
