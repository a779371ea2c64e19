// The smaller defects of issue 16 (point 6): each answered in words now instead of silently.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTracker } from '@yoto/tracker';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'yoto-smaller-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (env: NodeJS.ProcessEnv, ...argv: string[]) => runCli(argv, { env, cwd: dir });

describe('issue 16, point 6', () => {
  it('--workers beyond the cores is said, not silently done', async () => {
    const fileHome = join(dir, 'a-file');
    writeFileSync(fileHome, ''); // stops the command right after its argument checks
    const n = availableParallelism() + 1;
    const r = await cli({ YOTO_HOME: fileHome }, 'run', 'vae-beta-sweep', '--profile', 'smoke', '--workers', String(n));
    expect(r.err).toContain(`note: --workers ${n} is more than the ${n - 1} CPU core(s) here`);
  });

  it('integers past 2^53 are refused, in --set and in flags', async () => {
    const set = await cli({}, 'run', 'vae-beta-sweep', '--set', 'yoto.steps=99999999999999999999');
    expect(set.code).toBe(2);
    expect(set.err).toBe('error: --set yoto.steps: 99999999999999999999 is too large; integers go up to 9007199254740991');
    const flag = await cli({}, 'run', 'vae-beta-sweep', '--workers', '99999999999999999999');
    expect(flag.code).toBe(2);
    expect(flag.err).toBe('error: --workers: 99999999999999999999 is too large; integers go up to 9007199254740991');
  });

  it('exp report after a --set run names the --set it needs', async () => {
    const home = join(dir, 'home');
    mkdirSync(home);
    const tracker = openTracker(join(home, 'tracker.db'));
    tracker.ensureExperiment({ name: 'vae-beta-sweep@smoke' });
    tracker.startRun({ experiment: 'vae-beta-sweep@smoke', name: 'smoke/yoto/0123abcd', kind: 'yoto', gitRevision: null, tags: ['profile:smoke', 'set:yoto.steps=40'] }).finish();
    tracker.close();
    const r = await cli({ YOTO_HOME: home }, 'report', 'vae-beta-sweep', '--profile', 'smoke');
    expect(r.code).toBe(2);
    expect(r.err).toContain('the recorded runs were trained with --set yoto.steps=40: `pnpm exp report vae-beta-sweep --profile smoke --set yoto.steps=40`');
  });
});
