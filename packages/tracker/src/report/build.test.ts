import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vl from 'vega-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kl, populateDemo, reconstruction } from '../__fixtures__/demo.js';
import { openTracker, type Tracker } from '../store.js';
import { buildReport, type Report } from './build.js';
import { learningCurvesSpec } from './specs.js';

let dir: string;
let t: Tracker;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'yoto-report-'));
  t = openTracker(join(dir, 'db.sqlite'));
});
afterEach(() => {
  t.close();
  rmSync(dir, { recursive: true, force: true });
});

type Row = Record<string, unknown>;
const chart = (r: Report, id: string) => {
  const c = r.charts.find((x) => x.id === id);
  if (!c) throw new Error(`no chart ${id} in ${r.charts.map((x) => x.id).join(', ')}`);
  return c.spec as { data: { values: Row[] }; layer?: Row[] };
};

/** Compiles with vega-lite and returns its warnings: a spec that compiles with warnings is a bug. */
function compileWarnings(spec: unknown): string[] {
  const warnings: string[] = [];
  const logger = {
    level: () => logger,
    info: () => logger,
    debug: () => logger,
    warn: (...a: unknown[]) => (warnings.push(a.join(' ')), logger),
    error: (...a: unknown[]) => (warnings.push(`error: ${a.join(' ')}`), logger),
  };
  vl.compile(spec as vl.TopLevelSpec, { logger: logger as never });
  return warnings;
}

describe('buildReport', () => {
  it('builds the five chart kinds from the queries, and every spec compiles cleanly', () => {
    populateDemo(t, { steps: 50, baselineEdge: 0.03 });
    const r = buildReport(t, 'vae-demo', { lambdaTitle: 'β' });
    expect(r.lambdaKey).toBe('kl'); // the only coefficient that varies
    expect(r.charts.map((c) => c.id)).toEqual(['tradeoff-1', 'metrics-vs-lambda', 'gap', 'learning-curves', 'compute']);
    for (const c of r.charts) expect(compileWarnings(c.spec), c.id).toEqual([]);
    expect(r.tables.map((x) => x.id)).toEqual(['runs', 'gaps', 'evaluations', 'compute']);
    expect(r.notes).toEqual([]);
  });

  it('draws the trade-off plane: YOTO as a line in λ order, baselines as labelled points', () => {
    const betas = [8, 0.5, 2, 32];
    populateDemo(t, { betas, baselineBetas: [0.5, 32], steps: 10 });
    const r = buildReport(t, 'vae-demo', { tradeoffs: [{ x: 'kl', y: 'reconstruction', xTitle: 'KL (nats)' }], lambdaTitle: 'β' });
    const spec = chart(r, 'tradeoff-1');
    const yoto = spec.data.values.filter((p) => p.kind === 'yoto');
    expect(yoto.map((p) => p.lambda)).toEqual([0.5, 2, 8, 32]);
    for (const p of yoto) expect(p).toMatchObject({ series: 'YOTO', x: kl(p.lambda as number), y: reconstruction(p.lambda as number) });
    expect(spec.data.values.filter((p) => p.kind === 'baseline').map((p) => [p.series, p.lambda])).toEqual([
      ['baselines', 0.5],
      ['baselines', 32],
    ]);
    const [line, points, labels] = spec.layer as { mark: Row; encoding: Row }[];
    expect(line.mark).toMatchObject({ type: 'line' });
    expect(line.encoding.order).toEqual({ field: 'lambda', type: 'quantitative' });
    expect((line.encoding.tooltip as Row[]).map((x) => x.title)).toEqual(['run', 'β', 'KL (nats)', 'reconstruction']);
    expect(points.mark).toMatchObject({ type: 'point', shape: 'diamond' });
    expect(labels.mark).toMatchObject({ type: 'text' });
  });

  it('computes the relative gap (YOTO − baseline)/|baseline| at the baselines’ λ', () => {
    const e = 0.05;
    populateDemo(t, { baselineBetas: [1, 8], baselineEdge: e, steps: 10 });
    const r = buildReport(t, 'vae-demo');
    const gaps = chart(r, 'gap').data.values;
    // Baselines are better by e (reconstruction) and 2e (kl): gap = e/(1−e) and 2e/(1−2e).
    expect(gaps).toHaveLength(4);
    for (const g of gaps) {
      const expected = g.metric === 'kl' ? (2 * e) / (1 - 2 * e) : e / (1 - e);
      expect(g.gap as number).toBeCloseTo(expected, 12);
    }
    expect(gaps.map((g) => [g.metric, g.lambda, g.baselineRun])).toEqual([
      ['kl', 1, 'baseline-kl=1'],
      ['kl', 8, 'baseline-kl=8'],
      ['reconstruction', 1, 'baseline-kl=1'],
      ['reconstruction', 8, 'baseline-kl=8'],
    ]);
    const metrics = chart(r, 'metrics-vs-lambda').data.values;
    expect(metrics).toHaveLength((10 + 2) * 2);
    expect((r.charts.find((c) => c.id === 'metrics-vs-lambda')!.spec as { spec: { layer: { encoding: { x: { scale: Row } } }[] } }).spec.layer[0].encoding.x.scale).toMatchObject({ type: 'log' });
  });

  it('is generic over the axes and the λ key (a compression-like experiment)', () => {
    const e = t.createExperiment({ name: 'bls', task: 'compression' });
    const y = t.startRun({ experiment: e.id, name: 'yoto', kind: 'yoto', gitRevision: null });
    const b = t.startRun({ experiment: e.id, name: 'q3', kind: 'baseline', lambda: { distortion: 0.0067, rate: 1 }, gitRevision: null });
    for (const lam of [0.0018, 0.0067, 0.025, 0.0932]) {
      y.logEvaluation({ distortion: lam, rate: 1 }, { bpp: 2 + Math.log(lam), psnr: 30 + 3 * Math.log(lam), msssim: 0.9 });
    }
    b.logEvaluation({ distortion: 0.0067, rate: 1 }, { bpp: 2 + Math.log(0.0067), psnr: 30.5 + 3 * Math.log(0.0067), msssim: 0.91 });
    y.finish();
    b.finish();
    const r = buildReport(t, 'bls', {
      lambdaKey: 'distortion',
      tradeoffs: [
        { x: 'bpp', y: 'psnr', xTitle: 'rate (bpp)', yTitle: 'PSNR (dB)' },
        { x: 'bpp', y: 'msssim' },
      ],
      metrics: ['psnr', 'bpp'],
      metricTitles: { psnr: 'PSNR (dB)' },
    });
    expect(r.charts.map((c) => c.id)).toEqual(['tradeoff-1', 'tradeoff-2', 'metrics-vs-lambda', 'gap', 'compute']);
    expect(r.charts[0].title).toBe('Trade-off: PSNR (dB) vs rate (bpp)');
    expect(chart(r, 'metrics-vs-lambda').data.values.map((p) => p.metric)).toEqual(expect.arrayContaining(['PSNR (dB)', 'bpp']));
    expect(chart(r, 'gap').data.values.map((g) => g.metric)).toEqual(['bpp', 'PSNR (dB)']);
    expect(r.notes).toContain('no learning curves: no step metrics logged');
  });

  it('explains what it cannot plot and rejects unknown metrics and λ keys', () => {
    const e = t.createExperiment({ name: 'x' });
    const y = t.startRun({ experiment: e.id, name: 'yoto', kind: 'yoto', gitRevision: null });
    y.logEvaluation({ a: 1, b: 1 }, { m: 1, n: 2 });
    y.logEvaluation({ a: 2, b: 3 }, { m: Number.NaN, n: 2 });
    y.finish();
    expect(() => buildReport(t, 'x')).toThrow(/cannot tell which coefficient to put on the λ axis \(a, b all vary\); pass lambdaKey/);
    expect(() => buildReport(t, 'x', { lambdaKey: 'c' })).toThrow(/lambdaKey "c" is not a coefficient of the evaluation points; known: a, b/);
    expect(() => buildReport(t, 'x', { lambdaKey: 'a', tradeoffs: [{ x: 'm', y: 'psnr' }] })).toThrow(/trade-off axis metric "psnr" has no evaluation points; known: m, n/);
    expect(() => buildReport(t, 'x', { lambdaKey: 'a', metrics: ['q'] })).toThrow(/report metric "q" has no evaluation points/);
    expect(() => buildReport(t, 'nope')).toThrow(/unknown experiment "nope"/);
    const r = buildReport(t, 'x', { lambdaKey: 'a' });
    expect(r.notes).toEqual(
      expect.arrayContaining([
        'trade-off m vs n: 1 point(s) left out (NaN/Inf, or ≤ 0 on a log axis)',
        'no relative-gap chart: no baseline shares an evaluated λ with a YOTO model',
      ]),
    );
    expect(chart(r, 'tradeoff-1').data.values).toHaveLength(1);
  });

  it('with runIds, covers only the chosen runs (two generations of runs in one experiment)', () => {
    const exp = t.createExperiment({ name: 'gen', task: 'vae' });
    // Generation 1 (old config) and generation 2 (new config): different values, same λ grid.
    const generation = (g: number) => {
      const y = t.startRun({ experiment: exp.id, name: `g${g}/yoto`, kind: 'yoto', gitRevision: null });
      y.logMetrics(0, { loss: 10 * g });
      y.logMetrics(1, { loss: 5 * g });
      for (const b of [1, 8]) y.logEvaluation({ kl: b }, { kl: g * kl(b), reconstruction: g * reconstruction(b) });
      y.finish();
      const base = t.startRun({ experiment: exp.id, name: `g${g}/base-8`, kind: 'baseline', lambda: { kl: 8 }, gitRevision: null });
      base.logMetrics(0, { loss: 11 * g });
      base.logEvaluation({ kl: 8 }, { kl: g * kl(8) * 0.9, reconstruction: g * reconstruction(8) });
      base.finish();
      return [y.id, base.id];
    };
    const old = generation(1);
    const current = generation(2);
    const img = join(dir, 'recon.png');
    writeFileSync(img, 'png');
    t.logArtifact({ experiment: exp.id, path: img, kind: 'image' });
    const oldImg = join(dir, 'old-run.png');
    writeFileSync(oldImg, 'png');
    t.logArtifact({ runId: old[0], path: oldImg, kind: 'image' });

    const all = buildReport(t, 'gen');
    expect(new Set(chart(all, 'tradeoff-1').data.values.map((p) => p.run))).toEqual(new Set(['g1/yoto', 'g2/yoto', 'g1/base-8', 'g2/base-8']));

    const r = buildReport(t, 'gen', { runIds: current });
    const names = new Set(['g2/yoto', 'g2/base-8']);
    expect(r.tables.find((x) => x.id === 'runs')!.rows.map((x) => x.run)).toEqual(['g2/yoto', 'g2/base-8']);
    for (const id of ['tradeoff-1', 'metrics-vs-lambda', 'learning-curves']) {
      expect(new Set(chart(r, id).data.values.map((p) => p.run)), id).toEqual(names);
    }
    // One YOTO run left, so its series is plain "YOTO" again (not "YOTO: <run>").
    expect(new Set(chart(r, 'tradeoff-1').data.values.map((p) => p.series))).toEqual(new Set(['YOTO', 'baselines']));
    const gaps = chart(r, 'gap').data.values;
    expect(gaps.map((g) => [g.metric, g.yotoRun, g.baselineRun])).toEqual([
      ['kl', 'g2/yoto', 'g2/base-8'],
      ['reconstruction', 'g2/yoto', 'g2/base-8'],
    ]);
    expect(gaps[0].gap as number).toBeCloseTo(1 / 0.9 - 1, 12);
    expect(new Set(r.tables.find((x) => x.id === 'evaluations')!.rows.map((x) => x.run))).toEqual(names);
    expect(r.tables.find((x) => x.id === 'compute')!.rows).toEqual([
      { approach: 'yoto', runs: 1, steps: 1, seconds: expect.any(Number) },
      { approach: 'baselines', runs: 1, steps: 0, seconds: expect.any(Number) },
    ]);
    // The experiment's own pictures stay; a left-out run's artifacts go.
    expect(r.images.map((a) => a.path)).toEqual([img]);
    expect(r.notes).toContain('2 chosen run(s) shown; 2 other run(s) recorded under gen are left out');
    for (const c of r.charts) expect(compileWarnings(c.spec), c.id).toEqual([]);

    const other = t.createExperiment({ name: 'other' });
    const stranger = t.startRun({ experiment: other.id, name: 'x', kind: 'yoto', gitRevision: null });
    expect(() => buildReport(t, 'gen', { runIds: [current[0], stranger.id] })).toThrow(new RegExp(`run id\\(s\\) ${stranger.id} are not runs of experiment "gen"`));
    expect(() => buildReport(t, 'gen', { runIds: [1.5] })).toThrow(/run ids must be an array of integers/);
    stranger.finish();
  });

  it('draws one gap panel per metric with its own y scale, and the ±target band on the target metric', () => {
    populateDemo(t, { baselineBetas: [1, 8], steps: 5 });
    const r = buildReport(t, 'vae-demo', {
      metrics: ['reconstruction', 'kl'],
      metricTitles: { kl: 'KL (nats)' },
      gapTarget: { metric: 'reconstruction', value: 0.03 },
    });
    const spec = r.charts.find((c) => c.id === 'gap')!.spec as { concat: { title: Row; layer: { mark: Row; data?: { values: Row[] }; transform?: Row[] }[] }[]; resolve?: unknown };
    expect(spec.concat.map((p) => p.title.text)).toEqual(['reconstruction', 'KL (nats)']);
    const [rec, klPanel] = spec.concat;
    expect(rec.title.subtitle).toBe('shaded: the ±3% target band');
    expect(rec.layer[0]).toMatchObject({ mark: { type: 'rect' }, data: { values: [{ lo: -0.03, hi: 0.03 }] } });
    expect(klPanel.layer.some((l) => l.mark.type === 'rect')).toBe(false);
    expect(klPanel.layer.at(-1)!.transform).toEqual([{ filter: { field: 'metric', equal: 'KL (nats)' } }]);
    expect(compileWarnings(spec)).toEqual([]);
    // Independent y scales: the compiled Vega has one y scale per panel.
    const compiled = vl.compile(spec as unknown as vl.TopLevelSpec).spec as unknown as { marks: { scales?: { name: string }[] }[]; scales?: { name: string }[] };
    const yScales = JSON.stringify(compiled).match(/"name":"concat_\d+_y"/g) ?? [];
    expect(new Set(yScales).size).toBe(2);
    expect(() => buildReport(t, 'vae-demo', { gapTarget: { metric: 'psnr', value: 0.03 } })).toThrow(/gapTarget metric "psnr" is not a report metric/);
    expect(() => buildReport(t, 'vae-demo', { gapTarget: { metric: 'kl', value: -1 } })).toThrow(/gapTarget value must be a positive fraction/);
  });

  it('keeps learning curves to maxCurvePoints per run and metric', () => {
    populateDemo(t, { steps: 500, baselineBetas: [1] });
    const r = buildReport(t, 'vae-demo', { maxCurvePoints: 40, curves: ['loss'] });
    const pts = chart(r, 'learning-curves').data.values;
    expect(pts.every((p) => p.key === 'loss')).toBe(true);
    for (const run of ['yoto', 'baseline-kl=1']) expect(pts.filter((p) => p.run === run)).toHaveLength(40);
  });

  it('draws learning curves on a log axis when every value is positive, linear otherwise', () => {
    const yScale = (values: number[]) => {
      const spec = learningCurvesSpec(values.map((value, step) => ({ run: 'yoto', kind: 'yoto', key: 'loss', step, value })), ['loss'], ['yoto']) as { spec: { encoding: { y: { scale: Record<string, unknown> } } } };
      return spec.spec.encoding.y.scale;
    };
    expect(yScale([800, 40, 21, 20])).toMatchObject({ type: 'log' });
    expect(yScale([3, 0, -2])).not.toHaveProperty('type');
    expect(yScale([5, 0])).not.toHaveProperty('type');
  });
});
