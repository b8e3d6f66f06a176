/**
 * Defences against hostile YAML, applied before and right after parsing: documents
 * nested too deeply (the parser recurses), alias bombs (a few lines that expand to
 * billions of nodes), cyclic aliases, `__proto__` keys, and literal credentials.
 * Each finding carries the offset it is at, so it is reported like any other problem.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, visit, type Document, type Node } from 'yaml';
import type { ProblemCode } from './problems.ts';

/** Deepest nesting of mappings and sequences a definition may have (real ones stay under 20). */
export const MAX_NESTING = 64;
/** Most aliases (`*name`) one definition may hold. */
export const MAX_ALIASES = 100;
/** Most nodes a definition may have once its aliases are expanded. */
export const MAX_EXPANDED_NODES = 20_000;

export interface Finding {
  code: ProblemCode;
  offset: number;
  message: string;
  hint?: string;
}

/**
 * A linear pre-scan of the raw text that finds where nesting first exceeds `max`,
 * before the YAML parser (which recurses, and takes seconds and hundreds of MB on a
 * few hundred KB of `[[[[…`) sees it. It over-counts rather than under-counts: block
 * indentation levels, `- ` entries and flow brackets outside quoted and plain scalars.
 */
export function nestingOffset(text: string, max = MAX_NESTING): number | undefined {
  const indents: number[] = [];
  let flow = 0;
  let quote: '"' | "'" | null = null;
  let blockScalarIndent = -1;
  let lineStart = 0;
  while (lineStart <= text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    let col = lineStart;
    while (col < lineEnd && text[col] === ' ') col++;
    const indent = col - lineStart;
    const blank = col >= lineEnd || text[col] === '#' || text[col] === '\r';

    if (blockScalarIndent >= 0) {
      if (blank || indent > blockScalarIndent) {
        lineStart = lineEnd + 1;
        continue;
      }
      blockScalarIndent = -1;
    }
    let valueStart = true;
    if (quote === null && flow === 0 && !blank) {
      while (indents.length > 0 && (indents.at(-1) as number) >= indent) indents.pop();
      indents.push(indent);
      // `- - - x` nests one level per dash on a single line.
      while ((text[col] === '-' || text[col] === '?') && (col + 1 >= lineEnd || text[col + 1] === ' ')) {
        indents.push(col - lineStart + 2);
        col += 1;
        while (col < lineEnd && text[col] === ' ') col++;
      }
      if (indents.length > max) return col;
    }
    for (let i: number = quote === null ? col : lineStart; i < lineEnd; i++) {
      const c: string | undefined = text[i];
      if (quote !== null) {
        if (quote === '"' && c === '\\') i++;
        else if (c === quote) {
          if (quote === "'" && text[i + 1] === "'") i++;
          else {
            quote = null;
            valueStart = false;
          }
        }
        continue;
      }
      if (c === ' ' || c === '\t' || c === '\r') continue;
      if (c === '#' && (i === lineStart || text[i - 1] === ' ' || text[i - 1] === '\t')) break;
      if ((c === '"' || c === "'") && valueStart) {
        quote = c;
        continue;
      }
      if ((c === '&' || c === '!') && valueStart) {
        // An anchor or a tag before a value: the value still starts after it.
        while (i + 1 < lineEnd && text[i + 1] !== ' ') i++;
        continue;
      }
      if (flow > 0) {
        if (c === '[' || c === '{') {
          flow++;
          if (indents.length + flow > max) return i;
        } else if (c === ']' || c === '}') flow--;
        valueStart = c === '[' || c === '{' || c === ',' || c === ':' || c === '?';
        continue;
      }
      if (valueStart && (c === '[' || c === '{')) {
        flow = 1;
        if (indents.length + flow > max) return i;
        valueStart = true;
        continue;
      }
      if (valueStart && (c === '|' || c === '>')) {
        blockScalarIndent = indent;
        break;
      }
      if (c === ':' && (i + 1 >= lineEnd || text[i + 1] === ' ' || text[i + 1] === '\r')) {
        valueStart = true;
        continue;
      }
      valueStart = false;
    }
    if (flow < 0) flow = 0;
    lineStart = lineEnd + 1;
  }
  return undefined;
}

function startOf(node: { range?: readonly number[] | null } | null | undefined): number {
  return node?.range?.[0] ?? 0;
}

/**
 * Checks a parsed document: alias count, alias expansion, cycles, nesting once
 * aliases are expanded, and `__proto__` keys. Run it before `toJS`.
 */
export function documentFindings(doc: Document): Finding[] {
  const findings: Finding[] = [];
  const aliases: { node: Node; depth: number }[] = [];
  visit(doc, {
    Pair(_, pair) {
      const key = pair.key;
      if (isScalar(key) && key.value === '__proto__') {
        findings.push({ code: 'FORBIDDEN_KEY', offset: startOf(key), message: "the key '__proto__' is not allowed", hint: 'remove it: no definition key has this name' });
      } else if (key !== null && !isScalar(key)) {
        findings.push({ code: 'INVALID_VALUE', offset: startOf(key as Node), message: 'keys must be plain names, not mappings, lists or aliases' });
      }
    },
    Alias(_, alias, path) {
      aliases.push({ node: alias, depth: path.filter((p) => isMap(p) || isSeq(p)).length });
    },
  });
  if (aliases.length > MAX_ALIASES) {
    const at = aliases[MAX_ALIASES] as { node: Node };
    findings.push({
      code: 'ALIAS_LIMIT',
      offset: startOf(at.node),
      message: `more than ${MAX_ALIASES} aliases (*name); refusing a possible alias bomb`,
      hint: 'write the values out instead of aliasing them',
    });
    return findings;
  }
  if (aliases.length === 0) return findings;

  // Sizes and depths of aliased nodes, memoized: an alias bomb is exponential only when expanded.
  const sizes = new Map<unknown, { size: number; depth: number } | 'busy'>();
  let cyclic: Node | undefined;
  const measure = (node: unknown): { size: number; depth: number } => {
    if (!node || typeof node !== 'object') return { size: 1, depth: 0 };
    const known = sizes.get(node);
    if (known === 'busy') {
      cyclic ??= node as Node;
      return { size: 1, depth: 0 };
    }
    if (known) return known;
    sizes.set(node, 'busy');
    let result = { size: 1, depth: 0 };
    if (isAlias(node)) {
      result = measure(node.resolve(doc));
    } else if (isMap(node) || isSeq(node)) {
      let size = 1;
      let depth = 0;
      for (const item of node.items as unknown[]) {
        const parts = isPair(item) ? [item.key, item.value] : [item];
        for (const part of parts) {
          const m = measure(part);
          size = Math.min(size + m.size, Number.MAX_SAFE_INTEGER);
          depth = Math.max(depth, m.depth);
        }
      }
      result = { size, depth: depth + 1 };
    }
    sizes.set(node, result);
    return result;
  };
  let expanded = 0;
  for (const { node, depth } of aliases) {
    const target = measure(node);
    if (cyclic) {
      findings.push({ code: 'ALIAS_LIMIT', offset: startOf(node), message: 'an alias refers to a node that contains it (a cycle)' });
      return findings;
    }
    expanded += target.size;
    if (expanded > MAX_EXPANDED_NODES) {
      findings.push({
        code: 'ALIAS_LIMIT',
        offset: startOf(node),
        message: `aliases expand to more than ${MAX_EXPANDED_NODES} nodes; refusing a possible alias bomb`,
        hint: 'write the values out instead of aliasing them',
      });
      return findings;
    }
    if (depth + target.depth > MAX_NESTING) {
      findings.push({ code: 'TOO_DEEP', offset: startOf(node), message: `nested more than ${MAX_NESTING} levels deep once aliases are expanded` });
      return findings;
    }
  }
  return findings;
}

interface SecretPattern {
  what: string;
  pattern: RegExp;
}

/** Literal credentials a definition must never hold: it is committed, shown and frozen into run histories. */
const SECRET_PATTERNS: readonly SecretPattern[] = [
  { what: 'an OpenAI API key', pattern: /\bsk-(?:admin-|proj-|svcacct-)?[A-Za-z0-9_-]{20,}/ },
  { what: 'a webhook signing secret', pattern: /\bwhsec_[A-Za-z0-9+/=]{16,}/ },
  { what: 'a Slack token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/ },
  { what: 'a Slack webhook URL', pattern: /hooks\.slack\.com\/services\/[A-Za-z0-9/]+/ },
  { what: 'a GitHub token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})/ },
  { what: 'an AWS access key id', pattern: /\bAKIA[0-9A-Z]{16}\b/ },
  { what: 'a private key', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  { what: 'a password in a URL', pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:[^\s/@]+@/i },
  { what: 'a bearer token', pattern: /\bBearer\s+[A-Za-z0-9._~+/-]{20,}/ },
];

/** Every pattern above starts with one of these: a scalar without any (nearly all) is tested once, not nine times. */
const SECRET_HINT = /sk-|whsec_|xox|hooks\.slack\.com|gh[pousr]_|github_pat_|AKIA|-----BEGIN|:\/\/|Bearer/i;

/** Scalars that look like credentials. */
export function secretFindings(doc: Document): Finding[] {
  const findings: Finding[] = [];
  visit(doc, {
    Scalar(_, scalar) {
      if (typeof scalar.value !== 'string') return;
      const value = scalar.value;
      if (!SECRET_HINT.test(value)) return;
      const hit = SECRET_PATTERNS.find((p) => p.pattern.test(value));
      if (hit) {
        findings.push({
          code: 'SECRET_VALUE',
          offset: startOf(scalar),
          message: `this looks like ${hit.what}; a definition must never hold a secret`,
          hint: 'secrets are configured outside definitions and named, never written here (e.g. a notify channel name)',
        });
      }
    },
  });
  return findings;
}
