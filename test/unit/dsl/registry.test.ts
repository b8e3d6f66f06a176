// Hot reload on the real file system: edits are picked up by fs.watch, a broken file keeps
// its last good version in force, a deleted file leaves. Tests wait on the registry's
// reload notifications, never on sleeps.
import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefinitionRegistry, type ReloadReport } from '../../../dsl/index.ts';
import { memoryLogger } from '../../helpers/logger.ts';

const definition = (name: string, channel: string) =>
  `name: ${name}\non: { event: employee.hired }\nsteps:\n  - id: tell\n    action: notify\n    with: { channel: ${channel}, text: hi }\n`;

describe('DefinitionRegistry', () => {
  let dir: string;
  let registry: DefinitionRegistry | undefined;
  afterEach(() => {
    registry?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function open(options: { debounceMs?: number } = {}) {
    const log = memoryLogger();
    const reloads: ReloadReport[] = [];
    let waiting: ((report: ReloadReport) => void) | undefined;
    registry = DefinitionRegistry.open({
      dir,
      cwd: dir,
      logger: log.logger,
      debounceMs: options.debounceMs ?? 50,
      onReload: (report) => {
        reloads.push(report);
        waiting?.(report);
      },
    }).watch();
    /** Resolves at the next reload after `change` runs. */
    const after = (change: () => void) =>
      new Promise<ReloadReport>((resolve) => {
        waiting = resolve;
        change();
      });
    return { registry, log, reloads, after };
  }

  it('reloads an edited file, keeps the last good version of a broken one, and drops a deleted one', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tenure-registry-'));
    writeFileSync(join(dir, 'a.yaml'), definition('alpha', 'one'));
    writeFileSync(join(dir, 'b.yaml'), definition('beta', 'one'));
    const { registry, log, after } = open();
    const first = registry.plans().map((p) => `${p.name} v${p.version}`);
    expect(first).toHaveLength(2);

    const edited = await after(() => writeFileSync(join(dir, 'a.yaml'), definition('alpha', 'two')));
    expect(edited.problems).toEqual([]);
    expect(edited.changed).toEqual([expect.stringMatching(/^alpha v/)]);
    const alpha = registry.plans().find((p) => p.name === 'alpha');
    expect(alpha?.steps[0]).toMatchObject({ with: { channel: 'two' } });

    const broken = await after(() => writeFileSync(join(dir, 'a.yaml'), definition('alpha', 'three').replace('notify', 'notfy')));
    expect(broken.problems).toMatchObject([{ code: 'UNKNOWN_ACTION', file: 'a.yaml', line: 5 }]);
    expect(broken.kept).toEqual(['a.yaml']);
    expect(registry.plans().find((p) => p.name === 'alpha')).toBe(alpha);
    expect(log.lines.join('\n')).toContain('a.yaml:5:13: UNKNOWN_ACTION');

    const removed = await after(() => unlinkSync(join(dir, 'b.yaml')));
    expect(removed.changed).toEqual(['beta (removed)']);
    expect(registry.plans().map((p) => p.name)).toEqual(['alpha']);
  });

  it('refuses a new file that takes a name in use, and keeps the first', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tenure-registry-'));
    writeFileSync(join(dir, 'a.yaml'), definition('alpha', 'one'));
    const { registry, after } = open();
    const report = await after(() => writeFileSync(join(dir, 'b.yaml'), definition('alpha', 'other')));
    expect(report.problems).toMatchObject([{ code: 'DUPLICATE_NAME', file: 'b.yaml' }]);
    expect(registry.plans()).toHaveLength(1);
    expect(registry.plans()[0]?.source).toBe('a.yaml');
  });

  it('waits for edits to settle: a burst of writes is one reload', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tenure-registry-'));
    writeFileSync(join(dir, 'a.yaml'), definition('alpha', 'one'));
    const { reloads, after } = open({ debounceMs: 300 });
    const report = await after(() => {
      for (let i = 0; i < 5; i++) writeFileSync(join(dir, 'a.yaml'), definition('alpha', `c${i}`));
    });
    expect(reloads.length).toBe(2); // the initial load and one reload
    expect(report.plans[0]?.steps[0]).toMatchObject({ with: { channel: 'c4' } });
  });
});
