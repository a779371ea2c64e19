// A run whose loss diverges and stays finite is failed in the tracker like one whose loss turned NaN:
// the trainer's error fails the run, with the step, the loss and the rule that fired.
import { registerTask, unregisterTask } from '@yoto/core';
import { TwoTargetTask } from '@yoto/core/testing';
import { openTracker } from '@yoto/tracker';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { trainJob } from './train-job.js';

const home = mkdtempSync(join(tmpdir(), 'yoto-train-job-'));
const TASK = 'train-job-test-diverging';
afterAll(() => {
  unregisterTask(TASK);
  rmSync(home, { recursive: true, force: true });
});

// The two-target task whose targets jump 1000 away at step 150 (a finite loss, far above where it was).
registerTask(TASK, () => new TwoTargetTask({ divergeAtStep: 150 }));

describe('trainJob', () => {
  it('records a run whose loss diverged as failed, with the step, the loss and the rule', { timeout: 60_000 }, async () => {
    const db = join(home, 'tracker.db');
    const tracker = openTracker(db);
    tracker.createExperiment({ name: 'diverging', task: 'two-target' });
    tracker.close();
    const training = { steps: 400, batchSize: 8, learningRate: 0.01, schedule: { kind: 'constant' as const }, seed: 5, checkpointEvery: 100, logEvery: 10 };
    const job = trainJob(
      {
        db,
        checkpointsRoot: join(home, 'checkpoints'),
        experiment: 'diverging',
        name: 'baseline-a=1',
        config: {},
        spec: { key: 'baseline-a=1', kind: 'baseline', label: 'a=1', lambda: { to_a: 1, to_b: 1 }, training },
        task: { package: '@yoto/core', name: TASK, options: {} },
        space: new TwoTargetTask().defaultSpace().toJSON() as unknown as Record<string, unknown>,
        backend: 'cpu',
        tags: [],
      },
      { id: 'baseline-a=1', signal: new AbortController().signal, progress: () => {}, status: () => {} },
    );
    const message = /^training stopped at step 249: the loss diverged \(loss=[0-9.]+e\+6\): each of the last 100 steps' losses was above 100× the lowest since step 100 /;
    await expect(job).rejects.toThrow(message);
    const reopened = openTracker(db);
    try {
      const [run] = reopened.listRuns({ experiment: 'diverging' });
      expect(run).toMatchObject({ name: 'baseline-a=1', status: 'failed' });
      expect(run.error).toMatch(message);
    } finally {
      reopened.close();
    }
  });
});
