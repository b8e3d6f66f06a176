import { describe, expect, it } from '@jest/globals';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTool, requireTool, TOOLS_BIN, ToolNotFoundError } from '../../devstack/index.ts';

function fakeBinary(dir: string, name: string): string {
  const path = join(dir, name);
  writeFileSync(path, '#!/bin/sh\nexit 0\n');
  chmodSync(path, 0o755);
  return path;
}

describe('the Temporal binaries resolver', () => {
  const onPath = mkdtempSync(join(tmpdir(), 'tenure-path-'));
  const explicitDir = mkdtempSync(join(tmpdir(), 'tenure-explicit-'));
  fakeBinary(onPath, 'temporal');
  const explicit = fakeBinary(explicitDir, 'my-temporal');

  it('takes the explicit path variable first, then PATH, then .tools/bin', () => {
    expect(findTool('temporal', { TENURE_TEMPORAL_CLI: explicit, PATH: onPath })).toBe(explicit);
    expect(findTool('temporal', { PATH: onPath })).toBe(join(onPath, 'temporal'));
    // The project's install step put the real ones in .tools/bin (the suite itself runs on them).
    expect(findTool('temporal', { PATH: '' })).toBe(join(TOOLS_BIN, 'temporal'));
    expect(findTool('temporal-test-server', { PATH: '' })).toBe(join(TOOLS_BIN, 'temporal-test-server'));
  });

  it('does not fall back when the explicit path is wrong, and says how to fix it', () => {
    const env = { TENURE_TEMPORAL_CLI: join(explicitDir, 'missing'), PATH: onPath };
    expect(findTool('temporal', env)).toBeUndefined();
    expect(() => requireTool('temporal', env)).toThrow(ToolNotFoundError);
    expect(() => requireTool('temporal', env)).toThrow(/TENURE_TEMPORAL_CLI=.*missing is not an executable file.*npm install/);
  });
});
