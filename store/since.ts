/**
 * Parses the `since` of an audit query: a date `YYYY-MM-DD` (midnight UTC) or an
 * RFC 3339 instant with a zone (`2026-11-01T09:00:00Z`, `…+01:00`). Null when it is
 * neither, or names a day that does not exist (2026-02-30).
 */
export function parseSince(value: string): Date | null {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[Tt ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)([Zz]|[+-]\d{2}:\d{2}))?$/.exec(value);
  if (!m) return null;
  const day = m[1]!;
  // The calendar day must exist: Date would roll 2026-02-30 over into March.
  const midnight = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(midnight.getTime()) || !midnight.toISOString().startsWith(day)) return null;
  if (m[2] === undefined) return midnight;
  const instant = new Date(`${day}T${m[2]}${m[3]!.toUpperCase()}`);
  return Number.isNaN(instant.getTime()) ? null : instant;
}
