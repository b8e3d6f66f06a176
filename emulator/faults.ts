/**
 * Fault injection for the emulator: 429 with Retry-After, 5xx, latency and dropped
 * connections, by method, path and rate, drawn from a seeded generator so a test can
 * replay the same sequence of decisions.
 */
import { z } from 'zod';

export const faultRuleSchema = z.strictObject({
  /** `*` matches one path segment, a trailing `/**` any rest; default every `/v1` path. */
  path: z.string().startsWith('/').default('/v1/**'),
  /** HTTP method; default any. */
  method: z
    .string()
    .transform((m) => m.toUpperCase())
    .optional(),
  /** Probability in [0, 1] that a matching request gets the fault. Default 1. */
  rate: z.number().min(0).max(1).default(1),
  /** Fire at most this many times, then the rule is spent. Default unlimited. */
  times: z.number().int().positive().optional(),
  /**
   * `status`: answer `status` at once, nothing happens; `latency`: wait `ms` first, then
   * go on; `drop`: destroy the connection — `before` the request takes effect, or `after`
   * it took effect (the answer is lost, as in a crash between the call and its completion).
   */
  kind: z.enum(['status', 'latency', 'drop']),
  status: z.number().int().min(400).max(599).default(503),
  /** Retry-After seconds sent with a 429 (or 503). */
  retryAfter: z.number().int().min(0).optional(),
  ms: z.number().int().min(0).max(120_000).default(0),
  when: z.enum(['before', 'after']).default('before'),
});

export const faultsSchema = z.strictObject({
  /** Seed of the generator; the same seed and the same request order give the same faults. */
  seed: z.number().int().default(1),
  rules: z.array(faultRuleSchema).max(100),
});

export type FaultRule = z.infer<typeof faultRuleSchema>;
export type FaultsConfig = z.infer<typeof faultsSchema>;

/** What to do with one request. */
export interface FaultDecision {
  latencyMs: number;
  /** The status fault that fired, if any. */
  status?: { status: number; retryAfter?: number | undefined };
  drop?: 'before' | 'after';
}

/** mulberry32: a tiny, well-known 32-bit seeded generator; determinism is all it must give. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function pathPattern(pattern: string): RegExp {
  const escaped = pattern
    .split('/')
    .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${escaped.replace(/\/\.\*$/, '(?:/.*)?')}$`);
}

export class Faults {
  private config: FaultsConfig = { seed: 1, rules: [] };
  private patterns: RegExp[] = [];
  private fired: number[] = [];
  private random: () => number = seededRandom(1);
  /** How many faults of each kind fired since the last `set`. */
  counts = { status: 0, latency: 0, drop: 0 };

  set(config: FaultsConfig): void {
    this.config = config;
    this.patterns = config.rules.map((r) => pathPattern(r.path));
    this.fired = config.rules.map(() => 0);
    this.random = seededRandom(config.seed);
    this.counts = { status: 0, latency: 0, drop: 0 };
  }

  clear(): void {
    this.set({ seed: 1, rules: [] });
  }

  describe() {
    return { ...this.config, fired: this.fired, counts: this.counts };
  }

  /** Rules are tried in order: latencies add up; the first status or drop that fires ends the list. */
  decide(method: string, path: string): FaultDecision {
    const decision: FaultDecision = { latencyMs: 0 };
    for (const [index, rule] of this.config.rules.entries()) {
      if (rule.method && rule.method !== method) continue;
      if (!this.patterns[index]!.test(path)) continue;
      if (rule.times !== undefined && this.fired[index]! >= rule.times) continue;
      if (this.random() >= rule.rate) continue;
      this.fired[index]! += 1;
      this.counts[rule.kind] += 1;
      if (rule.kind === 'latency') {
        decision.latencyMs += rule.ms;
        continue;
      }
      if (rule.kind === 'status') decision.status = { status: rule.status, retryAfter: rule.retryAfter ?? (rule.status === 429 ? 1 : undefined) };
      else decision.drop = rule.when;
      return decision;
    }
    return decision;
  }
}
