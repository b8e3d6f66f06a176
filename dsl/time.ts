/**
 * Wall-clock arithmetic in IANA time zones, without a clock of its own: workflow code
 * passes `Date.now()` (deterministic there). Uses only `Intl`, so it is workflow-safe.
 */

/** Offset of `zone` from UTC at instant `epochMs`, in milliseconds. */
function zoneOffsetMs(zone: string, epochMs: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(epochMs));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(epochMs / 1000) * 1000;
}

/**
 * The instant at which it is `date` (YYYY-MM-DD) `time` (HH:MM) in `zone`.
 * In a DST gap the later valid instant is taken; in an overlap, the first.
 */
export function localDateTimeToEpochMs(date: string, time: string, zone: string): number {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const [h, mi] = time.split(':').map(Number) as [number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  // Two passes settle the offset around DST changes.
  let guess = wall - zoneOffsetMs(zone, wall);
  guess = wall - zoneOffsetMs(zone, guess);
  return guess;
}

const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/**
 * When a `wait: { until, offset, at, timezone }` step ends. `until` is a local date
 * (interpreted in `zone` at `at`, default 00:00) or an RFC 3339 instant.
 */
export function waitTarget(until: string, options: { offsetMs?: number; at?: string; zone: string }): number {
  const offsetMs = options.offsetMs ?? 0;
  if (LOCAL_DATE.test(until)) {
    // Whole days move the calendar date, so `-1d` at 08:00 stays 08:00 across a DST change.
    const days = Math.trunc(offsetMs / DAY_MS);
    const [y, m, d] = until.split('-').map(Number) as [number, number, number];
    const shifted = new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
    return localDateTimeToEpochMs(shifted, options.at ?? '00:00', options.zone) + (offsetMs - days * DAY_MS);
  }
  const base = Date.parse(until);
  if (Number.isNaN(base)) throw new RangeError(`'${until}' is neither a local date (YYYY-MM-DD) nor an RFC 3339 time`);
  return base + offsetMs;
}

const knownZones = new Map<string, boolean>();

/** Whether `zone` is an IANA time zone this runtime knows (e.g. Europe/London). Remembered: asking Intl costs a few hundred µs. */
export function isTimeZone(zone: string): boolean {
  let known = knownZones.get(zone);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      known = true;
    } catch {
      known = false;
    }
    // Bounded: a folder of hostile definitions cannot grow it without end.
    if (knownZones.size < 1000) knownZones.set(zone, known);
  }
  return known;
}
