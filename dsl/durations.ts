const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/**
 * Parses durations such as `90m`, `3d`, `-1d`, `1h30m` into milliseconds.
 * Returns undefined for anything else.
 */
export function parseDuration(text: string): number | undefined {
  const match = /^(-)?((?:\d+[smhdw])+)$/.exec(text.trim());
  if (!match?.[2]) return undefined;
  let total = 0;
  for (const part of match[2].matchAll(/(\d+)([smhdw])/g)) {
    total += Number(part[1]) * UNIT_MS[part[2] as keyof typeof UNIT_MS];
  }
  return match[1] ? -total : total;
}

/** A duration greater than zero, in milliseconds, or undefined. */
export function positiveDuration(text: string): number | undefined {
  const ms = parseDuration(text);
  return ms !== undefined && ms > 0 ? ms : undefined;
}
