// Why each command's implementation loads lazily, and why experiment definitions import only tfjs-free
// subpaths (`@yoto/tasks-style/space`, `@yoto/tasks-compression/scopes`, …): `exp help`, `exp list` and
// `exp show-config` must not pay tfjs's start-up, nor help SQLite's. Checked in a fresh Node process
// (vitest's own process has loaded both long before), by listing the CommonJS modules it has loaded —
// tfjs and better-sqlite3 are CommonJS, so they would show there.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../commands/index.js';
import { listExperiments } from '../experiments/registry.js';

const mainTs = fileURLToPath(new URL('./main.ts', import.meta.url));

/**
 * Imports `importFirst` (a module path, if given), then runs each invocation in turn, in one fresh
 * process; their exit codes, and the heavy modules loaded by then.
 */
function heavyModulesAfter(invocations: string[][], importFirst?: string, env: NodeJS.ProcessEnv = {}): { codes: number[]; heavy: string[] } {
  const script = `
    import { createRequire } from 'node:module';
    ${importFirst ? `await import(${JSON.stringify(importFirst)});` : ''}
    const { main } = await import(${JSON.stringify(mainTs)});
    const io = { out: () => {}, err: () => {}, progress: { write: () => true }, env: ${JSON.stringify(env)}, cwd: '.' };
    const codes = [];
    for (const argv of ${JSON.stringify(invocations)}) codes.push(await main(argv, io));
    const heavy = Object.keys(createRequire(import.meta.url).cache).filter((k) => /@tensorflow|better-sqlite3/.test(k));
    process.stdout.write(JSON.stringify({ codes, heavy }));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  return JSON.parse(out) as { codes: number[]; heavy: string[] };
}

const tfjs = (heavy: string[]) => heavy.filter((k) => k.includes('@tensorflow'));

describe('the command table loads implementations lazily', () => {
  it('`exp help`, `exp help <command>` and `exp <command> --help` for every command load neither tfjs nor SQLite', () => {
    const invocations = [['help'], ...Object.keys(COMMANDS).map((c) => ['help', c]), ...Object.keys(COMMANDS).map((c) => [c, '--help'])];
    const r = heavyModulesAfter(invocations);
    expect(r.codes).toEqual(invocations.map(() => 0));
    expect(r.heavy).toEqual([]);
  });

  it('`exp list` and `exp show-config <experiment>` for every experiment do not load tfjs (the registry and definitions are tfjs-free)', () => {
    const invocations = [['list'], ...listExperiments().map((d) => ['show-config', d.name])];
    expect(invocations.length).toBeGreaterThan(2);
    const r = heavyModulesAfter(invocations);
    expect(r.codes).toEqual(invocations.map(() => 0));
    expect(tfjs(r.heavy)).toEqual([]);
  });

  it('`exp run` that stops on a missing dataset checks it without loading tfjs (core/data is a tfjs-free subpath)', () => {
    const empty = mkdtempSync(join(tmpdir(), 'yoto-nodata-'));
    try {
      const invocations = listExperiments()
        .filter((d) => d.name !== 'vae-beta-sweep')
        .map((d) => ['run', d.name, '--profile', 'smoke', '--workers', '1']);
      const r = heavyModulesAfter(invocations, undefined, { YOTO_DATA: empty, YOTO_HOME: join(empty, 'home') });
      expect(r.codes).toEqual(invocations.map(() => 2));
      expect(tfjs(r.heavy)).toEqual([]);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('the probe does see tfjs once a module that imports it has loaded', () => {
    // The main entry of a task package imports tfjs: the way a definition would leak it.
    const taskPackage = createRequire(import.meta.url).resolve('@yoto/tasks-compression');
    const r = heavyModulesAfter([['list']], taskPackage);
    expect(r.codes).toEqual([0]);
    expect(tfjs(r.heavy).length).toBeGreaterThan(0);
  });
});
