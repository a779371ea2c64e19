import { describe, expect, it } from 'vitest';
import { resolveExperiment } from '../experiments/registry.js';
import { compare, describeSummary, target, type EvalRow, type RunSummary, type Summary } from './summary.js';

const { plan } = resolveExperiment('vae-beta-sweep', 'smoke');
const run = (runId: number, kind: 'yoto' | 'baseline', beta?: number): RunSummary => ({
  key: kind === 'yoto' ? 'yoto' : `b${beta}`,
  kind,
  control: false,
  runId,
  name: `r${runId}`,
  label: beta === undefined ? 'yoto' : `β=${beta}`,
  lambda: beta === undefined ? null : { reconstruction: 1, kl: beta },
  action: 'trained',
  resumedFrom: 0,
  steps: 10,
  wallSeconds: 1,
  backend: 'wasm',
});
const runs = [run(1, 'yoto'), run(2, 'baseline', 8), run(3, 'baseline', 0.5)];
const rows: EvalRow[] = [];
for (const [runId, beta, scale] of [[1, 0.5, 1.02], [1, 8, 0.9], [2, 8, 1], [3, 0.5, 1]] as const)
  for (const metric of plan.report.metrics) rows.push({ runId, lambda: { reconstruction: 1, kl: beta + 1e-13 }, metric, value: 100 * scale });

describe('compare and target', () => {
  it('pairs each baseline with the YOTO model at its λ, sorted by β, with relative gaps', () => {
    const c = compare(plan, runs, rows);
    expect(c.map((p) => p.value)).toEqual([0.5, 8]);
    expect(c[0].metrics.weighted_loss).toEqual({ yoto: 102, baseline: 100, gap: expect.closeTo(0.02, 12) });
    expect(c[1].metrics.weighted_loss.gap).toBeCloseTo(-0.1, 12);
    const t = target(plan, c);
    expect(t).toMatchObject({ metric: 'weighted_loss', maxGap: 0.03, met: true, misses: [] });
    expect(t.worstGap).toBeCloseTo(0.02, 12);
    expect(target({ ...plan, report: { ...plan.report, gapTarget: 0.01 } }, c)).toMatchObject({ met: false, misses: [0.5] });
  });

  it('refuses to compare when an evaluation is missing', () => {
    expect(() => compare(plan, runs, rows.filter((r) => !(r.runId === 1 && r.lambda.kl > 7)))).toThrow(
      /no evaluation of 'weighted_loss' for run 1 at \{"reconstruction":1,"kl":8\}/,
    );
  });

  it('describes a missed target in words', () => {
    const comparison = compare(plan, runs, rows);
    const s = {
      experiment: 'vae-beta-sweep',
      profile: 'smoke',
      backend: 'wasm',
      runs,
      wallSeconds: 3,
      compute: { share: 0.8, timeShare: 0.5, yotoSteps: 160, baselineSteps: 200 },
      comparison,
      target: { ...target(plan, comparison), maxGap: 0.01, met: false, misses: [0.5] },
      report: '/r/report.html',
    } as unknown as Summary;
    const text = describeSummary(s).join('\n');
    expect(text).toContain('weighted_loss at 0.5: YOTO 102.000  baseline 100.000  gap +2.00%  (misses the +1.00% target)');
    expect(text).toContain('target missed at 0.5');
  });

  it('names the control as the control, not as a second point of its λ', () => {
    // As compression-rd-sweep plans it: a baseline and the equal-steps control at the same λ.
    const control = { ...run(4, 'baseline', 8), key: 'control-beta=8', name: 'r4', control: true };
    const own: EvalRow[] = [...rows, ...plan.report.metrics.map((metric) => ({ runId: 4, lambda: { reconstruction: 1, kl: 8 }, metric, value: 95 }))];
    const c = compare(plan, [runs[0], control, ...runs.slice(1)], own);
    expect(c.map((p) => [p.run, p.label, p.control])).toEqual([
      ['r3', '0.5', false],
      ['r2', '8', false],
      ['r4', '8 (equal-steps control)', true],
    ]);
    const s = { experiment: 'x', profile: 'smoke', backend: 'wasm', runs, wallSeconds: 3, compute: { share: 1, timeShare: 1, yotoSteps: 1, baselineSteps: 1 }, comparison: c, target: target(plan, c), report: null } as unknown as Summary;
    const lines = describeSummary(s);
    expect(lines).toContain('  weighted_loss at 8: YOTO 90.000  baseline 100.000  gap -10.00%');
    expect(lines).toContain('  weighted_loss at 8 (equal-steps control): YOTO 90.000  control 95.000  gap -5.26%');
    expect(lines.filter((l) => l.startsWith('  weighted_loss at 8:'))).toHaveLength(1);
  });

  it('names the points by their baselines where the settings differ in more than the swept term', () => {
    // Named as `exp run` names them: the tracker's run name, and the setting as the run's label.
    const settings = [run(2, 'baseline', 8), run(3, 'baseline', 0.5)].map((r, i) => {
      const setting = i ? 'kl-light' : 'kl-heavy';
      return { ...r, name: `smoke/baseline-${setting}/0123abcd`, label: setting, lambda: { reconstruction: i ? 1 : 2, kl: r.lambda!.kl } };
    });
    const own: EvalRow[] = rows.map((r) => ({ ...r, lambda: { reconstruction: r.lambda.kl > 7 ? 2 : 1, kl: r.lambda.kl } }));
    const c = compare(plan, [runs[0], ...settings], own);
    expect(c.map((p) => p.label)).toEqual(['kl-light', 'kl-heavy']);
    const s = { experiment: 'x', profile: 'smoke', backend: 'wasm', runs, wallSeconds: 3, compute: { share: 1, timeShare: 1, yotoSteps: 1, baselineSteps: 1 }, comparison: c, target: { ...target(plan, c), maxGap: 0.01, met: false }, report: null } as unknown as Summary;
    const text = describeSummary(s).join('\n');
    expect(text).toContain('weighted_loss at kl-light: YOTO 102.000');
    expect(text).toContain('target missed at kl-light (worst gap +2.00%)');
  });
});
