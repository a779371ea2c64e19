import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backendTitle, startBackends, stopBackends, tempDir } from './__fixtures__/backends.js';
import { openTracker, type Tracker } from './store.js';

const BACKENDS = await startBackends();
afterAll(stopBackends);

let t: Tracker;
for (const b of BACKENDS) {
  describe.skipIf(b.skip !== null)(backendTitle(b), () => {
    let removeDir: () => void;
    beforeEach(() => {
      const tmp = tempDir('yoto-queries-');
      removeDir = tmp.remove;
      t = openTracker(b.fresh(tmp.dir));
    });
    afterEach(() => {
      t.close();
      removeDir();
    });

    describe('queries', () => {
      it('downsamples learning curves in SQL to bucket means', () => {
        t.createExperiment({ name: 'e' });
        const run = t.startRun({ experiment: 'e', name: 'r', kind: 'yoto', gitRevision: null });
        for (let s = 0; s < 1000; s++) run.logMetrics(s, { lin: s, sq: s * s, bad: s % 100 === 0 ? Number.NaN : 1 });
        run.finish();
        const rows = t.learningCurves('e', { maxPoints: 10 });
        const lin = rows.filter((r) => r.key === 'lin');
        expect(lin).toHaveLength(10);
        // Bucket b holds steps 100b … 100b+99: mean step and value 100b + 49.5, min 100b, max 100b+99.
        lin.forEach((r, b) => expect(r).toMatchObject({ step: 100 * b + 49.5, value: 100 * b + 49.5, min: 100 * b, max: 100 * b + 99, count: 100, nonFinite: 0 }));
        const sq = rows.filter((r) => r.key === 'sq');
        const mean = (b: number) => Array.from({ length: 100 }, (_, i) => (100 * b + i) ** 2).reduce((a, x) => a + x, 0) / 100;
        sq.forEach((r, b) => expect(r.value).toBeCloseTo(mean(b), 6));
        const bad = rows.filter((r) => r.key === 'bad');
        bad.forEach((r) => expect(r).toMatchObject({ value: 1, nonFinite: 1, count: 100 }));
        expect(t.learningCurves('e', { keys: ['lin'], maxPoints: 2000 })).toHaveLength(1000);
        expect(() => t.learningCurves('e', { maxPoints: 0 })).toThrow(/maxPoints must be a positive integer, got 0/);
      });

      it('compares runs side by side and sums compute per approach', () => {
        t.createExperiment({ name: 'e' });
        const y = t.startRun({ experiment: 'e', name: 'yoto', kind: 'yoto', seed: 1, gitRevision: 'g1', params: { lr: 0.001 } });
        const b1 = t.startRun({ experiment: 'e', name: 'b1', kind: 'baseline', lambda: { kl: 1 }, seed: 1, gitRevision: 'g1' });
        const b2 = t.startRun({ experiment: 'e', name: 'b2', kind: 'baseline', lambda: { kl: 4 }, seed: 2, gitRevision: 'g1' });
        y.logMetrics(300, { loss: 1 });
        b1.logMetrics(100, { loss: 2 });
        b2.logMetrics(150, { loss: 3 });
        for (const r of [y, b1, b2]) r.finish();
        const cmp = t.compareRuns([y.id, b1.id]);
        expect(cmp.columns).toEqual(['field', 'yoto', 'b1']);
        const field = (f: string) => cmp.rows.find((r) => r.field === f);
        expect(field('kind')).toEqual({ field: 'kind', yoto: 'yoto', b1: 'baseline' });
        expect(field('lambda.kl')).toEqual({ field: 'lambda.kl', yoto: null, b1: 1 });
        expect(field('param.lr')).toEqual({ field: 'param.lr', yoto: 0.001, b1: null });
        expect(field('metric.loss')).toEqual({ field: 'metric.loss', yoto: 1, b1: 2 });
        expect(field('steps')).toEqual({ field: 'steps', yoto: 300, b1: 100 });
        expect(() => t.compareRuns([])).toThrow(/at least one run id/);
        expect(() => t.compareRuns([y.id, 999])).toThrow(/unknown run id 999/);

        const c = t.computeSummary('e');
        expect(c.totals.map(({ approach, runs, steps }) => ({ approach, runs, steps }))).toEqual([
          { approach: 'yoto', runs: 1, steps: 300 },
          { approach: 'baselines', runs: 2, steps: 250 },
        ]);
        expect(c.totals[1].seconds).toBeCloseTo(c.runs[1].seconds + c.runs[2].seconds, 9);
      });
    });
  });
}
