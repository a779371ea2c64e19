import type { MetricSink } from '@yoto/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openTracker } from './store.js';

// Type-only import: the assignment below is checked by `tsc` against core's interface, while at run
// time the tracker never loads @yoto/core (and so never loads tfjs).
describe("a run handle is core's MetricSink", () => {
  it('records what the trainer sends through the interface', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'yoto-sink-'));
    try {
      const t = openTracker(join(dir, 'db.sqlite'));
      t.createExperiment({ name: 'e' });
      const run = t.startRun({ experiment: 'e', name: 'yoto', kind: 'yoto', gitRevision: null });
      const sink: MetricSink = run;
      sink.logParams?.({ batch: 64, optimizer: { name: 'adam', lr: 1e-3 } });
      sink.logMetrics(1, { loss: 2.5, kl: Number.NaN });
      sink.logEvaluation?.({ kl: 0.5, reconstruction: 1 }, { elbo: -90 });
      await sink.flush?.();
      expect(t.params(run.id)).toEqual({ batch: 64, optimizer: { name: 'adam', lr: 1e-3 } });
      expect(t.latestMetrics(run.id)).toMatchObject({ loss: { step: 1, value: 2.5 }, kl: { step: 1, value: Number.NaN } });
      expect(t.evaluationPoints('e')).toMatchObject([{ run: 'yoto', lambda: { kl: 0.5, reconstruction: 1 }, metric: 'elbo', value: -90 }]);
      run.finish();
      t.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
