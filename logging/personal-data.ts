/** Something shaped like an email address, inside any text. */
const EMAIL = /[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

/**
 * An email address with all but the first character of its local part hidden:
 * `ada.lovelace@example.com` → `a•••@example.com`. Enough to tell two people apart in a log
 * line, not enough to read who they are. Anything that is not an address is left as it is
 * (a channel name, a user id).
 */
export function maskEmail(value: string): string {
  const at = value.lastIndexOf('@');
  if (at < 1 || at === value.length - 1) return value;
  return `${value[0]}•••${value.slice(at)}`;
}

/** `text` with every email address in it masked ({@link maskEmail}). */
export function maskEmails(text: string): string {
  return text.replace(EMAIL, maskEmail);
}

const isPlain = (value: object) => [Object.prototype, null].includes(Object.getPrototypeOf(value));

/**
 * A log argument with every email address in its strings masked: plain objects and arrays are
 * copied, errors copied (same class) with their message, stack and fields masked. Other objects (a
 * `Secret`, a request) are left to their own serializers.
 */
export function maskPersonalData(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskEmails(value);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (Array.isArray(value)) return value.map((v) => maskPersonalData(v, depth + 1));
  if (value instanceof Error) {
    // A copy of the same class (so the serializer names its type), with its texts masked.
    const copy = Object.create(Object.getPrototypeOf(value) as object) as Error;
    Object.assign(copy, maskPersonalData({ ...value }, depth + 1));
    Object.defineProperties(copy, {
      message: { value: maskEmails(value.message), enumerable: false, writable: true, configurable: true },
      stack: { value: value.stack === undefined ? undefined : maskEmails(value.stack), enumerable: false, writable: true, configurable: true },
      ...(value.cause === undefined ? {} : { cause: { value: maskPersonalData(value.cause, depth + 1), enumerable: false, writable: true, configurable: true } }),
    });
    return copy;
  }
  if (!isPlain(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskPersonalData(v, depth + 1)]));
}
