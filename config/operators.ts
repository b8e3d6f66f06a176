/**
 * The operators file (`TENURE_OPERATORS_FILE`): who may use the admin API, each by the
 * sha256 of their bearer token. The token itself is never stored; hash one with
 * `printf %s "$TOKEN" | sha256sum`.
 *
 *   operators:
 *     - email: grace@example.com
 *       token_sha256: 5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';

/** An operator of the admin API. */
export interface OperatorEntry {
  /** Who they are: recorded as the actor of their decisions. */
  readonly email: string;
  /** sha256 of their bearer token, 64 lowercase hex digits. */
  readonly tokenSha256: string;
}

const fileSchema = z.strictObject({
  operators: z
    .array(
      z.strictObject({
        email: z.email('email: an email address, e.g. grace@example.com'),
        token_sha256: z
          .string()
          .regex(/^[0-9a-fA-F]{64}$/, 'token_sha256: the sha256 of the token as 64 hex digits (printf %s "$TOKEN" | sha256sum), never the token itself')
          .transform((hex) => hex.toLowerCase()),
      }),
    )
    .min(1, 'operators: list at least one { email, token_sha256 }'),
});

/**
 * Reads and checks the operators file; throws an Error naming the file and every problem.
 * Two operators may not share a token hash (a token must name one person).
 */
export function loadOperatorsFile(file: string): OperatorEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`TENURE_OPERATORS_FILE names ${file}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let document: unknown;
  try {
    document = parse(text, { maxAliasCount: 0 });
  } catch (error) {
    throw new Error(`${file}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const parsed = fileSchema.safeParse(document);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${file}: ${issue.path.join('.') || 'file'}: ${issue.message}`);
    throw new Error(`the operators file is not valid:\n${problems.join('\n')}\n  expected: operators: [{ email, token_sha256 }]`);
  }
  const operators = parsed.data.operators.map((o) => ({ email: o.email, tokenSha256: o.token_sha256 }));
  const seen = new Map<string, string>();
  for (const o of operators) {
    const other = seen.get(o.tokenSha256);
    if (other) throw new Error(`${file}: ${o.email} and ${other} have the same token_sha256; give each operator a token of their own`);
    seen.set(o.tokenSha256, o.email);
  }
  return operators;
}
