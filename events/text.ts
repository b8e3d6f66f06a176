import { z } from 'zod';

/**
 * How every length limit on ids and names is measured, at the door (the HrEvent schema)
 * and in the results store alike: UTF-8 bytes. A string within a limit in bytes is within
 * it in characters too, so it fits a PostgreSQL `varchar(n)` of that width, and Temporal's
 * own limits on workflow ids are in bytes. (`'😀'.length` is 2, its UTF-8 length 4.)
 */
export function utf8Length(text: string): number {
  // Counted by hand: pure, so workflow code may use it (no Buffer in the workflow sandbox).
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** A string of 1 to `max` UTF-8 bytes (`min` 0 allows the empty string). */
export function boundedText(max: number, min = 1): z.ZodString {
  return z
    .string()
    .min(min)
    .refine((value) => utf8Length(value) <= max, `may be at most ${max} bytes long (UTF-8)`);
}
