// The evaluation job's payload names the task but carries no options: the task is rebuilt from the
// checkpoint's own options (the run's), so a run trained with options the task's defaults lack is
// evaluated on the task it was trained on.
import { loadTrained, registerTask, unregisterTask } from '@yoto/core';
import { TwoTargetTask, type TwoTargetOptions } from '@yoto/core/testing';
import { openTracker } from '@yoto/tracker';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateJob } from './evaluate-job.js';
import { trainJob } from './train-job.js';

const home = mkdtempSync(join(tmpdir(), 'yoto-evaluate-job-'));
const TASK = 'evaluate-job-test-two-target';
afterAll(() => {
  unregisterTask(TASK);
  rmSync(home, { recursive: true, force: true });
});

registerTask(TASK, (options) => new TwoTargetTask({ ...(options as TwoTargetOptions), name: TASK }));

describe('evaluateJob', () => {
  it("evaluates the checkpoint's task, built with the run's options, not the task's defaults", { timeout: 60_000 }, async () => {
    const db = join(home, 'tracker.db');
    const tracker = openTracker(db);
    tracker.createExperiment({ name: 'options', task: TASK });
    tracker.close();
    const ctx = { id: 'job', signal: new AbortController().signal, progress: () => {}, status: () => {} };
    // Targets far from the defaults (a = [1, −1], b = [−1, 2]): the terms say which task was evaluated.
    const options = { a: [3, 3], b: [-3, 0] };
    const training = { steps: 20, batchSize: 4, learningRate: 0.01, schedule: { kind: 'constant' as const }, seed: 3, checkpointEvery: 20, logEvery: 10 };
    const trained = await trainJob(
      {
        db,
        checkpointsRoot: join(home, 'checkpoints'),
        experiment: 'options',
        name: 'baseline',
        config: {},
        spec: { key: 'baseline', kind: 'baseline', label: 'a=1', lambda: { to_a: 1, to_b: 1 }, training },
        task: { package: '@yoto/core', name: TASK, options },
        space: new TwoTargetTask().defaultSpace().toJSON() as unknown as Record<string, unknown>,
        backend: 'cpu',
        tags: [],
      },
      ctx,
    );
    const lambda = { to_a: 1, to_b: 1 };
    const result = await evaluateJob(
      {
        db,
        runId: trained.runId,
        checkpoint: trained.checkpoint,
        task: { package: '@yoto/core', name: TASK },
        lambdas: [lambda],
        evaluation: { limit: 0, batchSize: 1 },
        progressMetric: 'loss',
        backend: 'cpu',
      },
      ctx,
    );
    // The model's output, and each term against the run's targets, computed here.
    const loaded = await loadTrained(trained.checkpoint, { task: TASK });
    const y = (loaded.task as TwoTargetTask).output(loaded.model as never, [1, 1]);
    loaded.model.params.dispose();
    const sq = (t: number[]): number => y.reduce((s, v, i) => s + (v - t[i]) ** 2, 0);
    expect(result.stopped).toBe(false);
    expect(result.points).toHaveLength(1);
    expect(result.points[0].lambda).toEqual(lambda);
    expect(result.points[0].values.to_a).toBeCloseTo(sq(options.a), 5);
    expect(result.points[0].values.to_b).toBeCloseTo(sq(options.b), 5);
    // The defaults' targets would give other terms: the check above tells the two apart.
    expect(Math.abs(sq(options.a) - sq([1, -1]))).toBeGreaterThan(1);
  });
});
