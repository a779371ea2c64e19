// `pnpm bench` (scripts/bench.ts) answers a bad flag as `pnpm exp` does: one line, no stack trace,
// unless YOTO_DEBUG=1 (the rule in user-errors.ts, which the bench runner shares).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bench = fileURLToPath(new URL('../../../scripts/bench.ts', import.meta.url));
const run = (env: NodeJS.ProcessEnv, args = ['codec', '--no-such-flag']) =>
  spawnSync(process.execPath, ['--import', 'tsx', bench, ...args], { encoding: 'utf8', env: { ...process.env, YOTO_DEBUG: '', ...env } });

describe('pnpm bench with no name', () => {
  it('lists every benchmark and exits 0, as --help does', () => {
    for (const args of [[], ['--help']]) {
      const r = run({}, args);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain('usage: pnpm bench <name> [args]');
      for (const name of ['kernels', 'bls', 'codec', 'vae', 'explore', 'style', 'tracker']) expect(r.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    }
  });
});

describe('pnpm bench with a bad flag', () => {
  it('prints one line naming the flag, no trace; YOTO_DEBUG=1 shows the trace', () => {
    const plain = run({});
    expect(plain.status).toBe(2);
    expect(plain.stderr).toBe("error: bench codec: unknown option '--no-such-flag'; usage: pnpm bench codec [--json] [--symbols n] [--channels c] [--repeats r]\n");
    expect(run({ YOTO_DEBUG: '1' }).stderr).toContain('    at ');
  });

  it('every bench parses its flags with @yoto/flags: a bad value is one line naming the flag and what it takes', () => {
    const r = run({}, ['kernels', '--backend', 'gpu']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      "error: bench kernels: --backend must be one of wasm, cpu, all, got 'gpu'; usage: pnpm bench kernels [--backend wasm|cpu|all] [--reps N] [--limit SECONDS] [--only TEXT] (--help for more)",
    ]);
  });
});
