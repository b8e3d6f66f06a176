const REDACTED = '[redacted]';

/**
 * A secret value that prints as `[redacted]` in JSON, template strings, `util.inspect`
 * and the logger. Only {@link Secret.reveal} gives the value, and only activities and
 * the HTTP edges call it.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toJSON(): string {
    return REDACTED;
  }

  toString(): string {
    return REDACTED;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED;
  }
}
