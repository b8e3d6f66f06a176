/**
 * The definitions in force for a trigger server, kept current while it runs: it loads a
 * folder, watches it, and reloads after edits settle. A file that turns broken is
 * reported and its last good version stays in force; a deleted file leaves. Runs that
 * already started are unaffected either way: each carries the plan it started with.
 *
 *   const registry = DefinitionRegistry.open({ dir: 'definitions', logger }).watch();
 *   buildTriggerServer({ …, plans: () => registry.plans() });
 *   registry.close();
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, extname, relative, resolve } from 'node:path';
import type { Logger } from '../logging/index.ts';
import { definitionFiles, loadDefinitionFile, nameProblem } from './loader.ts';
import type { Plan } from './plan.ts';
import { formatProblem, type Problem } from './problems.ts';

export interface RegistryOptions {
  /** The folder of definitions to load and watch. */
  dir: string;
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Quiet time after the last change before reloading, milliseconds. Default 200: editors write a file in several steps. */
  debounceMs?: number;
  /** Problems name files relative to this folder. Default `process.cwd()`. */
  cwd?: string;
  /** Called after every reload (tests wait on it instead of sleeping). */
  onReload?: (report: ReloadReport) => void;
}

export interface ReloadReport {
  plans: readonly Plan[];
  problems: readonly Problem[];
  /** Definitions whose version changed, appeared or left, as `name vVERSION` or `name (removed)`. */
  changed: string[];
  /** Files with problems whose last good version stays in force. */
  kept: string[];
}

export class DefinitionRegistry {
  private readonly dir: string;
  private readonly cwd: string;
  private readonly logger: RegistryOptions['logger'];
  private readonly debounceMs: number;
  private readonly onReload: RegistryOptions['onReload'];
  /** The last plan each file compiled to without problems. */
  private readonly lastGood = new Map<string, Plan>();
  private current: readonly Plan[] = [];
  private currentProblems: readonly Problem[] = [];
  private readonly listeners = new Set<(report: ReloadReport) => void>();
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;

  private constructor(options: RegistryOptions) {
    this.dir = resolve(options.dir);
    this.cwd = options.cwd ?? process.cwd();
    this.logger = options.logger;
    this.debounceMs = options.debounceMs ?? 200;
    this.onReload = options.onReload;
  }

  /** Loads the folder once. Call `watch()` to follow changes. */
  static open(options: RegistryOptions): DefinitionRegistry {
    const registry = new DefinitionRegistry(options);
    // The first load's problems are the caller's to print (before anything else starts); later ones are logged.
    registry.settle(...registry.load());
    return registry;
  }

  /** The plans in force now. */
  plans(): readonly Plan[] {
    return this.current;
  }

  /** The problems of the last reload. */
  problems(): readonly Problem[] {
    return this.currentProblems;
  }

  /** Reloads every file now, logging its problems. */
  reload(): ReloadReport {
    const [plans, problems, changed, kept] = this.load();
    for (const problem of problems) this.logger?.warn({ code: problem.code, file: problem.file, line: problem.line, col: problem.col }, formatProblem(problem));
    if (kept.length > 0) this.logger?.warn({ files: kept }, `definitions with problems keep their last good version in force: ${kept.join(', ')}`);
    if (changed.length > 0) this.logger?.info({ changed }, `definitions in force: ${plans.map((p) => `${p.name} v${p.version}`).join(', ') || 'none'}`);
    return this.settle(plans, problems, changed, kept);
  }

  private load(): [plans: readonly Plan[], problems: Problem[], changed: string[], kept: string[]] {
    const problems: Problem[] = [];
    let files: string[];
    try {
      files = definitionFiles([this.dir]);
    } catch (error) {
      // The folder is gone or unreadable: keep what is in force rather than dropping every definition.
      const problem: Problem = { code: 'FILE_UNREADABLE', message: `cannot read ${this.dir}: ${(error as Error).message}`, file: this.shown(this.dir), line: 1, col: 1 };
      return [this.current, [problem], [], []];
    }
    for (const file of [...this.lastGood.keys()]) if (!files.includes(file)) this.lastGood.delete(file);

    const plans: Plan[] = [];
    const kept: string[] = [];
    const claimed = new Map<string, string>();
    for (const file of files) {
      const shown = this.shown(file);
      const result = loadDefinitionFile(file, shown);
      problems.push(...result.problems);
      let candidate = result.plan;
      if (candidate && claimed.has(candidate.name)) {
        problems.push(nameProblem(candidate.name, claimed.get(candidate.name) as string, shown, undefined));
        candidate = undefined;
      }
      if (candidate) this.lastGood.set(file, candidate);
      const inForce = this.lastGood.get(file);
      if (!inForce || claimed.has(inForce.name)) continue;
      if (!candidate) kept.push(shown);
      claimed.set(inForce.name, shown);
      plans.push(inForce);
    }
    const before = new Map(this.current.map((p) => [p.name, p.version]));
    const changed = plans.filter((p) => before.get(p.name) !== p.version).map((p) => `${p.name} v${p.version}`);
    for (const name of before.keys()) if (!plans.some((p) => p.name === name)) changed.push(`${name} (removed)`);
    return [plans, problems, changed, kept];
  }

  private settle(plans: readonly Plan[], problems: Problem[], changed: string[], kept: string[]): ReloadReport {
    this.current = plans;
    this.currentProblems = problems;
    const report = { plans, problems, changed, kept };
    this.onReload?.(report);
    for (const listener of this.listeners) listener(report);
    return report;
  }

  /** Calls `listener` after every later reload; returns a function that stops it. */
  subscribe(listener: (report: ReloadReport) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts following the folder; reloads once edits have been quiet for `debounceMs`. */
  watch(): this {
    if (this.watcher) return this;
    try {
      this.watcher = watch(this.dir, { recursive: true, persistent: false }, (_event, filename) => {
        if (filename && !['.yaml', '.yml'].includes(extname(filename)) && extname(filename) !== '') return;
        if (filename && basename(filename).startsWith('.')) return;
        this.schedule();
      });
      this.watcher.on('error', (error) => this.logger?.error({ err: error, dir: this.dir }, 'stopped watching definitions; restart to pick up changes'));
    } catch (error) {
      this.logger?.error({ err: error, dir: this.dir }, 'cannot watch definitions; changes need a restart');
    }
    return this;
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      try {
        this.reload();
      } catch (error) {
        this.logger?.error({ err: error }, 'reloading definitions failed; the previous ones stay in force');
      }
    }, this.debounceMs);
  }

  /** Stops watching. */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.watcher?.close();
    this.watcher = undefined;
  }

  private shown(file: string): string {
    return relative(this.cwd, file) || basename(file);
  }
}
