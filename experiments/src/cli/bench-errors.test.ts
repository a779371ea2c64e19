// `pnpm bench` (scripts/bench.ts) answers a bad flag as `pnpm exp` does: one line, no stack trace,
// unless YOTO_DEBUG=1 (the rule in user-errors.ts, which the bench runner shares).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bench = fileURLToPath(new URL('../../../scripts/bench.ts', import.meta.url));
const run = (env: NodeJS.ProcessEnv) =>
  spawnSync(process.execPath, ['--import', 'tsx', bench, 'codec', '--no-such-flag'], { encoding: 'utf8', env: { ...process.env, YOTO_DEBUG: '', ...env } });

describe('pnpm bench with a bad flag', () => {
  it('prints one line naming the flag, no trace; YOTO_DEBUG=1 shows the trace', () => {
    const plain = run({});
    expect(plain.status).toBe(1);
    expect(plain.stderr).toContain('no-such-flag');
    expect(plain.stderr).not.toContain('    at ');
    expect(run({ YOTO_DEBUG: '1' }).stderr).toContain('    at ');
  });
});
