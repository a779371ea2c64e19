// The style report: YOTO lines per named setting ordered by the content weight alone, the gap at each
// baseline's setting, the 5% target, and the generic charts it replaces — on evaluations written
// into a real tracker for the default plan, rendered through the report writer.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTracker } from '@yoto/tracker';
import { afterEach, describe, expect, it } from 'vitest';
import { identify } from '../../runner/identity.js';
import { renderExperimentReport } from '../../runner/report.js';
import { resolveExperiment } from '../registry.js';
import type { StylePictureOptions } from '../style-pictures.js';
import { lossChoiceNote, REPLACED, styleGaps, styleRows, styleTarget } from './style-report.js';

const TERMS = ['content', 'style1', 'style2', 'style3', 'style4'];
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** Made-up held-out terms of a point, smooth in λ, all multiplied by `scale`. */
function terms(lambda: Record<string, number>, scale = 1): Record<string, number> {
  const v: Record<string, number> = { content: 1 / (1 + lambda.content) };
  for (const t of TERMS.slice(1)) v[t] = 1 - 0.5 * lambda[t];
  v.style = TERMS.slice(1).reduce((a, t) => a + v[t], 0);
  v.weighted_loss = TERMS.reduce((a, t) => a + lambda[t] * v[t], 0);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x * scale]));
}

describe('style report', () => {
  const { definition, profile, plan } = resolveExperiment('style-adjustable');
  const settings = (plan.pictures as unknown as StylePictureOptions).settings;
  const baselines = plan.runs.filter((r) => r.kind === 'baseline');

  it('puts every grid point on the line of the setting whose style weights it has; each line is a content sweep through its setting', () => {
    const evals = plan.grid.map((lambda) => ({ runId: 1, kind: 'yoto' as const, lambda, metric: 'content', value: 1 }));
    const rows = styleRows(evals, settings);
    expect(rows).toHaveLength(plan.grid.length);
    for (const r of rows) {
      const s = settings.find((x) => x.name === r.line)!;
      const p = plan.grid.find((g) => g.content === r.content && TERMS.slice(1).every((t) => g[t] === s.lambda[t]));
      expect(p, `${r.line} at content ${r.content}`).toBeDefined();
    }
    const line = (name: string) => rows.filter((r) => r.line === name).map((r) => r.content);
    // The baselines' settings (and balanced) get a sweep of 5 content weights plus their own.
    expect(line('balanced')).toEqual([0.1, 0.325, 0.55, 0.775, 1]);
    expect(line('content-heavy')).toEqual([0.1, 0.325, 0.55, 0.775, 1]);
    expect(line('style-heavy')).toEqual([0.1, 0.325, 0.55, 0.775, 1]);
    expect(line('style1-only')).toEqual([0.55]);
    // Each setting is named on its own point only.
    expect(rows.filter((r) => r.setting === 'style-heavy').map((r) => r.content)).toEqual([0.325]);
  });

  it('renders its own trade-off, terms and gap charts in place of the generic ones, and states the 5% target with the compute share', async () => {
    dir = mkdtempSync(join(tmpdir(), 'yoto-style-report-'));
    const t = openTracker(join(dir, 'db.sqlite'));
    try {
      const exp = t.createExperiment({ name: 'style-adjustable' });
      const ids: number[] = [];
      for (const spec of plan.runs) {
        const run = t.startRun({ experiment: exp.id, name: identify(definition.name, profile, plan, spec).name, kind: spec.kind, lambda: spec.lambda, gitRevision: null });
        run.logMetrics(spec.training.steps, { loss: 1 });
        if (spec.kind === 'yoto') for (const lambda of plan.grid) run.logEvaluation(lambda, terms(lambda));
        // content-heavy's baseline is better than the YOTO model there by 1 − 0.9: a gap of +11.1%.
        else run.logEvaluation(spec.lambda!, terms(spec.lambda!, spec.label === 'content-heavy' ? 0.9 : 1));
        run.finish();
        ids.push(run.id);
      }
      const gaps = styleGaps(styleRows(t.evaluationPoints(exp.id), settings), ['weighted_loss']);
      expect(gaps.map((g) => [g.setting, Number(g.gap.toFixed(6))])).toEqual([
        ['balanced', 0],
        ['content-heavy', Number((1 / 0.9 - 1).toFixed(6))],
        ['style-heavy', 0],
      ]);

      const html = await renderExperimentReport({ tracker: t, record: exp.name, outDir: dir, plan, images: [], runIds: ids, definition });
      for (const id of ['style-tradeoff', 'style-terms', 'style-gap']) expect(existsSync(join(dir, `${id}.svg`)), id).toBe(true);
      for (const id of REPLACED.filter((x) => x !== 'gaps')) expect(existsSync(join(dir, `${id}.svg`)), id).toBe(false);
      const page = readFileSync(html, 'utf8');
      expect(page).toContain('within 5% of the baseline’s at every baseline setting');
      expect(page).toContain('balanced +0.0%, content-heavy +11.1%, style-heavy +0.0% (worst: content-heavy)');
      // The YOTO run logged 6,000 steps, the baselines 3 × 3,000.
      expect(page).toContain('the YOTO model took 66.7% of the baselines’ steps');
      expect(page).toContain('softmax-transformed before their Gram matrices');
      expect(page).not.toContain('Relative gap per grid point');
    } finally {
      t.close();
    }
  });

  it('the target is missed when one baseline is more than 5% better than the YOTO model at its setting, and states the compute share', () => {
    const evals = [
      ...plan.grid.map((lambda) => ({ runId: 1, kind: 'yoto' as const, lambda, metric: 'weighted_loss', value: 2 })),
      ...baselines.map((b, i) => ({ runId: 2 + i, kind: 'baseline' as const, lambda: b.lambda!, metric: 'weighted_loss', value: b.label === 'style-heavy' ? 1.8 : 2.02 })),
    ];
    const gaps = styleGaps(styleRows(evals, settings), ['weighted_loss']);
    expect(Object.fromEntries(gaps.map((g) => [g.setting, Number(g.gap.toFixed(6))]))).toEqual({ balanced: Number((-0.02 / 2.02).toFixed(6)), 'content-heavy': Number((-0.02 / 2.02).toFixed(6)), 'style-heavy': Number((0.2 / 1.8).toFixed(6)) });
    const compute = [
      { approach: 'yoto', steps: 3000, seconds: 100 },
      { approach: 'baselines', steps: 4500, seconds: 200 },
    ];
    const missed = styleTarget(gaps, 'weighted_loss', 0.05, compute);
    expect(missed).toEqual({
      target: 'YOTO’s weighted held-out loss within 5% of the baseline’s at every baseline setting',
      measured: 'balanced −0.99%, content-heavy −0.99%, style-heavy +11.1% (worst: style-heavy); the YOTO model took 66.7% of the baselines’ steps and 50.0% of their time',
      met: 'no',
    });
    // Within 5% everywhere (the YOTO model 1% worse at every setting): met.
    expect(styleTarget(gaps.map((g) => ({ ...g, gap: 0.01 })), 'weighted_loss', 0.05, compute).met).toBe('yes');
    expect(styleTarget([], 'weighted_loss', 0.05, compute).met).toBe('n/a');
  });

  it('states the style loss the run used, and why softmax is the default only for the non-VGG presets', () => {
    const preset = lossChoiceNote({ lossNetwork: 'darknet', softmax: true, softmaxTemperature: 2 }, true);
    expect(preset).toContain('Style loss: darknet features, softmax-transformed before their Gram matrices (temperature 2).');
    expect(preset).toContain('Why softmax is the default');
    expect(preset).toContain('The loss-choice picture shows');
    const vgg = lossChoiceNote({ lossNetwork: { path: '/models/vgg19', input: 'caffe', content: 'c', style: ['a', 'b', 'c', 'd'] }, softmax: false }, false);
    expect(vgg).toBe('Style loss: the network at /models/vgg19 features, raw (no softmax) Gram matrices.');
  });
});
