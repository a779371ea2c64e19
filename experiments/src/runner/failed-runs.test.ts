// A run that failed (e.g. diverged to NaN) is not retrained by every `exp run`: it is reported as
// failed with the step and term of its error, and trained again only with --retry-failed.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTracker } from '@yoto/tracker';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveExperiment } from '../experiments/registry.js';
import { runCli } from '../testing/cli.js';
import { identify } from './identity.js';

const home = mkdtempSync(join(tmpdir(), 'yoto-failed-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

// Two tiny runs whose learning rate makes step 1 NaN, deterministically.
const SETS = ['train.learningRate=1e30', 'yoto.steps=3', 'baselines.steps=3', 'baselines.betas=8'];
const ARGS = ['run', 'vae-beta-sweep', '--profile', 'smoke', '--workers', '2', ...SETS.flatMap((s) => ['--set', s])];
const RECORD = 'vae-beta-sweep@smoke';
const EARLIER = "training stopped at step 1: non-finite loss term 'kl' (loss=NaN, grad_norm=NaN, reconstruction=1, kl=NaN); the update of this step was not applied";

const cli = (...argv: string[]) => runCli(argv, { env: { ...process.env, YOTO_HOME: home }, cwd: home });

/** The runs of this plan as an earlier `exp run` that diverged would have left them. */
function recordFailedRuns(): void {
  const resolved = resolveExperiment('vae-beta-sweep', 'smoke', SETS);
  const tracker = openTracker(join(home, 'tracker.db'));
  try {
    tracker.createExperiment({ name: RECORD, task: resolved.plan.task.name });
    for (const spec of resolved.plan.runs) {
      const id = identify('vae-beta-sweep', 'smoke', resolved.plan, spec);
      const run = tracker.startRun({ experiment: RECORD, name: id.name, kind: spec.kind, lambda: spec.lambda, config: id.config, gitRevision: null });
      run.logMetrics(0, { loss: 500 });
      run.fail(EARLIER);
    }
  } finally {
    tracker.close();
  }
}

function runs(): { name: string; status: string; error: string | null; heartbeatAt: number }[] {
  const tracker = openTracker(join(home, 'tracker.db'));
  try {
    return tracker.listRuns({ experiment: RECORD }).map(({ name, status, error, heartbeatAt }) => ({ name, status, error, heartbeatAt }));
  } finally {
    tracker.close();
  }
}

describe('exp run with failed runs', () => {
  // Measured 9.0 s alone and 14.6 s inside the whole `pnpm test` (2 cores, 2026-12-01): 3× that.
  it('reports them as failed with their step and term and trains nothing; --retry-failed trains them again', { timeout: 45_000 }, async () => {
    recordFailedRuns();
    const before = runs();
    expect(before.map((r) => r.status)).toEqual(['failed', 'failed']);

    const again = await cli(...ARGS);
    expect(again.code).toBe(1);
    for (const r of before) expect(again.err).toContain(`run ${r.name} failed earlier: ${EARLIER}`);
    expect(again.err).toContain('--retry-failed');
    // Nothing was trained: no worker log, the runs untouched.
    expect(existsSync(join(home, 'logs')) ? readdirSync(join(home, 'logs')) : []).toEqual([]);
    expect(runs()).toEqual(before);

    const retried = await cli(...ARGS, '--retry-failed');
    expect(retried.code).toBe(1);
    const after = runs();
    // Trained again (fresh heartbeats), and diverged again at step 1, recorded by the trainer itself.
    for (const [i, r] of after.entries()) {
      expect(r.status).toBe('failed');
      expect(r.heartbeatAt).toBeGreaterThan(before[i].heartbeatAt);
      expect(r.error).toMatch(/^training stopped at step 1: non-finite loss terms? /);
      expect(r.error).not.toBe(EARLIER);
    }
    expect(readdirSync(join(home, 'logs')).length).toBe(2);
  });
});
