// Why each command's implementation loads lazily: `exp help` must not load tfjs or SQLite. Checked
// in a fresh Node process (vitest's own process has loaded both long before), by listing the
// CommonJS modules it has loaded — tfjs and better-sqlite3 are CommonJS, so they would show there.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../commands/index.js';

const mainTs = fileURLToPath(new URL('./main.ts', import.meta.url));

/** Runs each invocation in turn in one fresh process; their exit codes, and the heavy modules loaded by then. */
function heavyModulesAfter(invocations: string[][]): { codes: number[]; heavy: string[] } {
  const script = `
    import { createRequire } from 'node:module';
    const { main } = await import(${JSON.stringify(mainTs)});
    const io = { out: () => {}, err: () => {}, progress: { write: () => true }, env: {}, cwd: '.' };
    const codes = [];
    for (const argv of ${JSON.stringify(invocations)}) codes.push(await main(argv, io));
    const heavy = Object.keys(createRequire(import.meta.url).cache).filter((k) => /@tensorflow|better-sqlite3/.test(k));
    process.stdout.write(JSON.stringify({ codes, heavy }));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  return JSON.parse(out) as { codes: number[]; heavy: string[] };
}

describe('the command table loads implementations lazily', () => {
  it('`exp help`, `exp help <command>` and `exp <command> --help` for every command load neither tfjs nor SQLite', () => {
    const invocations = [['help'], ...Object.keys(COMMANDS).map((c) => ['help', c]), ...Object.keys(COMMANDS).map((c) => [c, '--help'])];
    const r = heavyModulesAfter(invocations);
    expect(r.codes).toEqual(invocations.map(() => 0));
    expect(r.heavy).toEqual([]);
  });

  it('the probe does see tfjs once a command that needs it has run', () => {
    // `show-config` resolves an experiment, and compression-rd-sweep's definition imports tfjs.
    const r = heavyModulesAfter([['show-config', 'compression-rd-sweep']]);
    expect(r.codes).toEqual([0]);
    expect(r.heavy.some((k) => k.includes('@tensorflow'))).toBe(true);
  });
});
