/** Stable problem codes: tests assert on these, never on wording. docs/definitions.md lists them all. */
export const PROBLEM_CODES = [
  'YAML_SYNTAX',
  'DUPLICATE_KEY',
  'FORBIDDEN_KEY',
  'ALIAS_LIMIT',
  'TOO_DEEP',
  'FILE_TOO_LARGE',
  'FILE_UNREADABLE',
  'UNKNOWN_KEY',
  'MISSING_KEY',
  'UNKNOWN_EVENT',
  'UNKNOWN_ACTION',
  'INVALID_VALUE',
  'BAD_EXPRESSION',
  'BAD_REGEX',
  'EXPRESSION_BUDGET',
  'BAD_DURATION',
  'BAD_TIMEZONE',
  'BAD_CRON',
  'SECRET_VALUE',
  'UNCHECKED_APPROVAL',
  'DUPLICATE_STEP_ID',
  'DUPLICATE_NAME',
] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];

export interface Problem {
  code: ProblemCode;
  message: string;
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  col: number;
  hint?: string;
  /** The source line the problem is on, for a caret display. */
  sourceLine?: string;
}

/** Widest source excerpt shown; longer lines are cut to a window around the caret. */
const EXCERPT_WIDTH = 120;

/** Control characters would drive the terminal (colours, cursor moves): shown as `\xNN` instead. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  return text.replace(/[\x00-\x08\x0B-\x1F\x7F]/g, (c) => `\\x${(c.codePointAt(0) as number).toString(16).padStart(2, '0')}`);
}

/** `file:line:col: CODE message`, then the source line with a caret, then the hint. */
export function formatProblem(problem: Problem): string {
  const lines = [printable(`${problem.file}:${problem.line}:${problem.col}: ${problem.code} ${problem.message}`)];
  if (problem.sourceLine !== undefined) {
    let excerpt = printable(problem.sourceLine.replace(/\t/g, ' '));
    let caret = Math.max(0, problem.col - 1);
    if (excerpt.length > EXCERPT_WIDTH) {
      const start = Math.max(0, Math.min(caret - EXCERPT_WIDTH / 2, excerpt.length - EXCERPT_WIDTH));
      excerpt = `${start > 0 ? '…' : ''}${excerpt.slice(start, start + EXCERPT_WIDTH)}${start + EXCERPT_WIDTH < excerpt.length ? '…' : ''}`;
      caret = caret - start + (start > 0 ? 1 : 0);
    }
    lines.push(`  ${excerpt}`, `  ${' '.repeat(caret)}^`);
  }
  if (problem.hint) lines.push(`  hint: ${printable(problem.hint)}`);
  return lines.join('\n');
}

/** The closest candidate by edit distance, if it is close enough to be a likely typo. */
export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(input.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(input.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}
