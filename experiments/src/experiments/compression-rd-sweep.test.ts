// compression-rd-sweep: its plan and validation, the dataset check, and the smoke profile end to end
// through the CLI (workers, real bitstreams, JPEG, report, gallery), then the codec on its checkpoint.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findDataset, resolveDataRoot } from '@yoto/core';
import { openTracker } from '@yoto/tracker';
import { afterAll, describe, expect, it } from 'vitest';
import { computeBudget } from '../runner/budget.js';
import { identify } from '../runner/identity.js';
import { runCli } from '../testing/cli.js';
import { once } from '../testing/once.js';
import { refusesSets } from '../testing/refuses.js';
import { galleryLambdas } from './compression/gallery-lambdas.js';
import { lambdaGrid } from './log-grid.js';
import { resolveExperiment } from './registry.js';

const home = mkdtempSync(join(tmpdir(), 'yoto-rd-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const cli = (env: NodeJS.ProcessEnv, ...argv: string[]) => runCli(argv, { env: { ...process.env, YOTO_HOME: home, INIT_CWD: home, ...env }, cwd: home });

describe('compression-rd-sweep plan', () => {
  it('default: YOTO over λ ∈ [0.0018, 0.18], 5 baselines on the grid, 80% of their steps, whole Kodak images', () => {
    const { plan } = resolveExperiment('compression-rd-sweep');
    const lambdas = plan.grid.map((g) => g.distortion);
    expect(lambdas[0]).toBe(0.0018);
    expect(lambdas.at(-1)).toBe(0.18);
    expect(lambdas).toHaveLength(9);
    expect(plan.grid.every((g) => g.rate === 1)).toBe(true);
    const baselines = plan.runs.filter((r) => r.kind === 'baseline' && !r.control).map((r) => r.lambda!.distortion);
    // The equal-steps control: a baseline at the middle λ with the YOTO model's steps, outside the budget share.
    const control = plan.runs.filter((r) => r.control);
    expect(control.map((r) => ({ key: r.key, kind: r.kind, lambda: r.lambda, steps: r.training.steps }))).toEqual([
      { key: 'control-lambda=0.018', kind: 'baseline', lambda: { distortion: 0.018, rate: 1 }, steps: 32000 },
    ]);
    expect(control[0].training.learningRateScales).toEqual({ 'entropy_bottleneck/': 10, 'quantization/': 10 });
    expect(resolveExperiment('compression-rd-sweep', 'default', ['control.lambda=0']).plan.runs.some((r) => r.control)).toBe(false);
    // The recipe's learning rate with a warm-up and clipping for every run; without them the keys are not in the training settings.
    expect(plan.runs.map((r) => [r.training.learningRate, r.training.schedule, r.training.clipGradNorm])).toEqual(Array(7).fill([0.0005, { kind: 'cosine', warmupSteps: 100 }, 1]));
    expect(resolveExperiment('compression-rd-sweep', 'default', ['train.clipGradNorm=0']).plan.runs.every((r) => !('clipGradNorm' in r.training))).toBe(true);
    expect(resolveExperiment('compression-rd-sweep', 'default', ['train.warmupSteps=0']).plan.runs.every((r) => !('warmupSteps' in r.training.schedule))).toBe(true);
    // Loss-weight normalisation reaches only the YOTO run; without it the key is not in its training
    // settings, and the baselines and the control keep their identities either way.
    expect(plan.runs.map((r) => [r.key, r.training.normalizeLossWeights])).toEqual(plan.runs.map((r) => [r.key, r.kind === 'yoto' ? true : undefined]));
    const raw = resolveExperiment('compression-rd-sweep', 'default', ['yoto.normalizeLossWeights=false']).plan;
    expect(raw.runs.every((r) => !('normalizeLossWeights' in r.training))).toBe(true);
    expect(raw.runs.slice(1).map((r) => identify('compression-rd-sweep', 'default', raw, r).hash)).toEqual(plan.runs.slice(1).map((r) => identify('compression-rd-sweep', 'default', plan, r).hash));
    // Without it, with noise quantization and 24,000 steps the YOTO run is the 2026-12-06 default run's (its tracker name default/yoto/c2aecdee).
    const rawNoise = resolveExperiment('compression-rd-sweep', 'default', ['yoto.normalizeLossWeights=false', 'model.trainingQuantization=noise', 'yoto.steps=24000']).plan;
    expect(identify('compression-rd-sweep', 'default', rawNoise, rawNoise.runs[0]).hash.slice(0, 8)).toBe('c2aecdee');
    expect(identify('compression-rd-sweep', 'default', plan, plan.runs[0]).hash.slice(0, 8)).not.toBe('c2aecdee');
    // Mixed quantization is the default and reaches every run's model config (the default run of
    // 2026-12-07 12:32, 32,000 steps, is default/yoto/fd01b1ab; the 09:17 one, 24,000 steps,
    // default/yoto/af0a941c); 'noise' leaves the key out, so noise-trained runs keep the identities they
    // had before the key existed (the normalised rerun's default/yoto/b856d601, 24,000 steps).
    expect(plan.task.options.config).toMatchObject({ trainingQuantization: 'mixed' });
    expect(identify('compression-rd-sweep', 'default', plan, plan.runs[0]).hash.slice(0, 8)).toBe('fd01b1ab');
    const steps24k = resolveExperiment('compression-rd-sweep', 'default', ['yoto.steps=24000']).plan;
    expect(identify('compression-rd-sweep', 'default', steps24k, steps24k.runs[0]).hash.slice(0, 8)).toBe('af0a941c');
    const noise = resolveExperiment('compression-rd-sweep', 'default', ['model.trainingQuantization=noise', 'yoto.steps=24000']).plan;
    expect((noise.task.options.config as Record<string, unknown>).trainingQuantization).toBeUndefined();
    expect(identify('compression-rd-sweep', 'default', noise, noise.runs[0]).hash.slice(0, 8)).toBe('b856d601');
    // The decoder's own step, the FiLM multiplier and the conditioning's initialisation are read by the
    // YOTO model alone: each reaches only the YOTO run's task, so setting it retrains the YOTO model and
    // the baselines and the control keep their identities.
    expect(plan.runs.every((r) => r.task === undefined)).toBe(true);
    const hashes = (p: typeof plan): string[] => p.runs.map((r) => identify('compression-rd-sweep', 'default', p, r).hash);
    const yotoOnly: [string, Record<string, unknown>][] = [
      ['model.decoderStep=own', { decoderStep: 'own' }],
      ['model.filmMultiplier=1', { filmMultiplier: 1 }],
      ['model.conditioningInit=heHidden', { conditioningInit: 'heHidden' }],
      ['model.conditioningInit=reference', { conditioningInit: 'reference' }],
    ];
    for (const [set, option] of yotoOnly) {
      const own = resolveExperiment('compression-rd-sweep', 'default', [set]).plan;
      expect(own.task, set).toEqual(plan.task);
      expect(own.runs[0].task?.options.config, set).toEqual({ ...(plan.task.options.config as object), ...option });
      expect(own.runs.slice(1).every((r) => r.task === undefined)).toBe(true);
      expect(hashes(own).slice(1)).toEqual(hashes(plan).slice(1));
      expect(hashes(own)[0]).not.toBe(hashes(plan)[0]);
      expect(identify('compression-rd-sweep', 'default', own, own.runs[0]).config.task).toEqual(own.runs[0].task);
    }
    // Their defaults written out change nothing: the runs keep the identities they had before the keys existed.
    expect(hashes(resolveExperiment('compression-rd-sweep', 'default', ['model.filmMultiplier=0.1', 'model.conditioningInit=glorot']).plan)).toEqual(hashes(plan));
    expect(baselines).toEqual([0.0018, 0.0057, 0.018, 0.057, 0.18]);
    for (const b of baselines) expect(lambdas).toContain(b);
    expect(computeBudget(plan.runs).share).toBeCloseTo(0.8, 12);
    expect(plan.space).toEqual({ terms: ['distortion', 'rate'], distribution: { kind: 'logUniform', term: 'distortion', low: 0.0018, high: 0.18 }, encoding: { distortion: 'range' } });
    expect(plan.task).toMatchObject({ name: 'bls-factorized', package: '@yoto/tasks-compression', options: { config: { N: 64, M: 96, quantizationStep: 'lambda' }, cropSize: 64 } });
    expect(plan.runs[0].training.learningRateScales).toEqual({ 'entropy_bottleneck/': 10, 'conditioning/': 10 });
    // A baseline's own quantization step moves at the YOTO steps' factor.
    expect(plan.runs[1].training.learningRateScales).toEqual({ 'entropy_bottleneck/': 10, 'quantization/': 10 });
    expect(plan.task.options).not.toHaveProperty('evalCrop');
    // The default is the scale hyperprior; the factorized prior's task options (and so its runs' identity) carry no architecture key.
    expect(plan.task.options).toMatchObject({ architecture: 'hyperprior', config: { N: 64, M: 96 } });
    expect((plan.task.options as { config: object }).config).not.toHaveProperty('architecture');
    expect(resolveExperiment('compression-rd-sweep', undefined, ['model.architecture=factorized']).plan.task.options).not.toHaveProperty('architecture');
    expect(plan.evaluation.limit).toBe(0);
    const smoke = resolveExperiment('compression-rd-sweep', 'smoke').plan;
    expect(smoke.task.options).toMatchObject({ evalCrop: 176, cropSize: 32 });
    expect(smoke.grid.map((g) => g.distortion)).toEqual([0.0018, 0.0057, 0.018, 0.057, 0.18]);
  });

  it("stratified λ and a wider training range reach only the YOTO run: the grid, the plan's space and the other runs' identities stay", () => {
    const plan = resolveExperiment('compression-rd-sweep').plan;
    const hashes = (p: typeof plan): string[] => p.runs.map((r) => identify('compression-rd-sweep', 'default', p, r).hash);
    // Off by default: no key in any run's training settings, no space of a run's own.
    expect(plan.runs.every((r) => !('lambdaSampling' in r.training) && r.space === undefined)).toBe(true);
    const stratified = resolveExperiment('compression-rd-sweep', 'default', ['yoto.lambdaSampling=stratified']).plan;
    expect(stratified.runs.map((r) => r.training.lambdaSampling)).toEqual(plan.runs.map((r) => (r.kind === 'yoto' ? 'stratified' : undefined)));
    expect(hashes(stratified).slice(1)).toEqual(hashes(plan).slice(1));
    expect(hashes(stratified)[0]).not.toBe(hashes(plan)[0]);
    // rangeMargin 2: trained on [0.0009, 0.36], evaluated (grid, baselines, plan space) on [0.0018, 0.18].
    const wide = resolveExperiment('compression-rd-sweep', 'default', ['yoto.rangeMargin=2']).plan;
    expect(wide.runs[0].space).toEqual({ ...plan.space, distribution: { kind: 'logUniform', term: 'distortion', low: 0.0009, high: 0.36 } });
    expect(wide.runs.slice(1).every((r) => r.space === undefined)).toBe(true);
    expect(wide.space).toEqual(plan.space);
    expect(wide.grid).toEqual(plan.grid);
    expect(wide.runs[0].label).toBe('yoto λ∈[0.0018,0.18] (trained on [0.0009,0.36])');
    expect(hashes(wide).slice(1)).toEqual(hashes(plan).slice(1));
    expect(identify('compression-rd-sweep', 'default', wide, wide.runs[0]).config.space).toEqual(wide.runs[0].space);
    expect(hashes(resolveExperiment('compression-rd-sweep', 'default', ['yoto.rangeMargin=1']).plan)).toEqual(hashes(plan));
    refusesSets('compression-rd-sweep')(['yoto.rangeMargin=0.5'], 'yoto.rangeMargin must be a number ≥ 1, got 0.5');
    refusesSets('compression-rd-sweep')(['yoto.lambdaSampling=latin'], "--set yoto.lambdaSampling: expected one of independent, stratified, got 'latin'");
  });

  it('lambdaGrid snaps baselines onto the nearest grid point, or adds them; galleryLambdas keeps the ends', () => {
    expect(lambdaGrid(1, 100, 3, [9.9])).toEqual([1, 9.9, 100]);
    expect(lambdaGrid(1, 100, 3, [3])).toEqual([1, 3, 10, 100]);
    expect(galleryLambdas([1, 2, 4, 8, 16], [4], 3)).toEqual([1, 4, 16]);
    expect(galleryLambdas([1, 2, 4, 8, 16], [2, 8], 2)).toEqual([2, 8]);
  });

  it('refuses impossible configs, naming the key', () => {
    const bad = refusesSets('compression-rd-sweep');
    bad(['baselines.lambdas=0.001,0.01'], 'baselines.lambdas must lie in the YOTO range [0.0018, 0.18] (λ=0.001 does not), got 0.001,0.01');
    bad(['data.cropSize=40'], 'data.cropSize must be a multiple of 16, got 40');
    bad(['data.evalCrop=100'], 'data.evalCrop must be 0 (whole images) or at least 176');
    bad(['reference.codecs=jpeg,heic'], "--set reference.codecs: unknown 'heic'; expected a comma-separated list of jpeg, webp, avif");
    bad(['reference.qualities=0,50'], 'reference.qualities[0] must be an integer ≥ 1, got 0');
    bad(['reference.qualities=50'], 'reference.qualities must list at least 2 qualities (a curve needs two points), got 50');
    bad(['lambda.low=0.2'], 'lambda.low must be below lambda.high (0.18), got 0.2');
    bad(['model.densityKnots=1'], 'model.densityKnots must be 0 or an integer ≥ 2');
    bad(['model.quantizationStep=fine'], "--set model.quantizationStep: expected one of unit, lambda, got 'fine'");
    bad(['model.decoderStep=own', 'model.quantizationStep=unit'], "model.decoderStep 'own' needs model.quantizationStep 'lambda'");
    bad(['model.decoderStep=both'], "--set model.decoderStep: expected one of encoder, own, got 'both'");
    bad(['model.conditioningInit=zeros'], "--set model.conditioningInit: expected one of glorot, heHidden, reference, got 'zeros'");
    bad(['model.filmMultiplier=0'], 'model.filmMultiplier must be a number > 0, got 0');
    bad(['control.lambda=0.5'], 'control.lambda must be 0 (no control) or inside the YOTO range [0.0018, 0.18], got 0.5');
    bad(['model.architecture=joint'], "--set model.architecture: expected one of factorized, hyperprior, got 'joint'");
    bad(['conditioning.learningRateScale=0'], 'conditioning.learningRateScale must be a number > 0, got 0');
  });

  it('without the datasets, `exp run` stops before training with core’s message naming the dataset and the data root', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'yoto-nodata-'));
    try {
      const r = await cli({ YOTO_DATA: empty }, 'run', 'compression-rd-sweep', '--profile', 'smoke', '--workers', '1');
      expect(r.code).toBe(2);
      expect(r.err).toContain("dataset 'bsds500'");
      expect(r.err).toContain(`data root ${empty}`);
      expect(r.err).not.toContain('    at ');
      expect(existsSync(join(home, 'tracker.db'))).toBe(false);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

const missing = ['bsds500', 'kodak'].filter((d) => findDataset(d) === null);
describe.skipIf(missing.length > 0)(`pnpm exp run compression-rd-sweep --profile smoke${missing.length ? ` (skipped: dataset ${missing.join(' and ')} not under the data root ${resolveDataRoot()})` : ''}`, () => {
  const record = 'compression-rd-sweep@smoke';
  const dir = join(home, 'reports', record);
  // The one training every test here reads (run once, so each test also runs alone with -t).
  const swept = once(() => cli({}, 'run', 'compression-rd-sweep', '--profile', 'smoke', '--workers', '2', '--json'));
  // The sweep took 49.2 s inside the whole `pnpm test` on 2 cores (2026-12-01), 117 s alone with the
  // machine's load average at 17; the limit leaves room for that.
  const LIMIT = 180_000;

  it('trains, codes Kodak crops with the real coder, runs JPEG, and reports curves, Bjøntegaard deltas and a gallery', { timeout: LIMIT }, async () => {
    const r = await swept();
    expect(r.code, r.err).toBe(0);
    const s = JSON.parse(r.out.split('\n').at(-1)!) as { status: string; runs: { kind: string; steps: number }[]; comparison: { value: number }[]; report: string };
    expect(s.status).toBe('done');
    // The two baselines and the equal-steps control (a baseline with the YOTO model's 40 steps).
    expect(s.runs.map((x) => `${x.kind}:${x.steps}`).sort()).toEqual(['baseline:20', 'baseline:20', 'baseline:40', 'yoto:40']);
    expect(s.comparison.map((c) => c.value)).toEqual([0.0057, 0.018, 0.057]);
    // The summary printed before the JSON line names the control (it was a bare second 'at 0.018' line).
    expect(r.out).toMatch(/^ {2}loss at 0\.018 \(equal-steps control\): YOTO [0-9.]+ {2}control [0-9.]+ {2}gap /m);

    const tracker = openTracker(join(home, 'tracker.db'));
    try {
      const runs = tracker.listRuns({ experiment: record });
      const yoto = runs.find((x) => x.kind === 'yoto')!;
      const evals = tracker.evaluationPoints(record);
      const at = (runId: number, l: number, m: string) => evals.find((e) => e.runId === runId && e.lambda.distortion === l && e.metric === m)?.value;
      expect([...new Set(evals.filter((e) => e.runId === yoto.id).map((e) => e.lambda.distortion))].sort((a, b) => a - b)).toEqual([0.0018, 0.0057, 0.018, 0.057, 0.18]);
      for (const run of runs)
        for (const l of run.kind === 'yoto' ? [0.0018, 0.18] : [run.lambda!.distortion]) {
          const bpp = at(run.id, l, 'bpp')!;
          // A real file: the model's estimate of the payload plus the 48-byte header, within 2% and a few bytes of coder flush.
          const extraBits = (bpp - at(run.id, l, 'estimated_bpp')!) * 176 * 176;
          const slack = 0.02 * at(run.id, l, 'estimated_bpp')! * 176 * 176;
          expect(extraBits).toBeGreaterThan(48 * 8 - slack);
          expect(extraBits).toBeLessThan(48 * 8 + 16 * 8 + slack);
          expect(at(run.id, l, 'psnr')).toBeCloseTo(10 * Math.log10((255 * 255) / at(run.id, l, 'distortion')!), 0);
          expect(at(run.id, l, 'ms_ssim')).toBeGreaterThan(-1);
          expect(at(run.id, l, 'ms_ssim')).toBeLessThanOrEqual(1);
          expect(at(run.id, l, 'images')).toBe(2);
        }
      // The gallery and the one model's λ-sweep animation are the report's pictures, registered as artifacts.
      expect(tracker.listArtifacts(record, { kind: 'image' }).map((a) => a.path).sort()).toEqual([join(dir, 'gallery.png'), join(dir, 'lambda-sweep.webp')]);
    } finally {
      tracker.close();
    }

    expect(s.report).toBe(join(dir, 'report.html'));
    const html = readFileSync(s.report, 'utf8');
    for (const text of ['Rate–distortion: YOTO, baselines and classical codecs', 'Bjøntegaard deltas', 'Targets (issues 5 and 14)', 'Against the equal-steps control', 'Classical codec points'])
      expect(html).toContain(text);
    const png = readFileSync(join(dir, 'rate-distortion.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(statSync(join(dir, 'rate-distortion.svg')).size).toBeGreaterThan(5000);
    expect(readFileSync(join(dir, 'gallery.png')).subarray(1, 4).toString()).toBe('PNG');

    const summary = JSON.parse(readFileSync(join(dir, 'rd-summary.json'), 'utf8')) as {
      yoto: { lambda: number }[];
      baselines: { lambda: number }[];
      control: { lambda: number } | null;
      vsControl: { test: string }[];
      reference: { codec: string; quality: number; bpp: number; psnr: number; images: number }[];
      bd: { test: string; anchor: string; bdRatePsnr: number | null; bdPsnr: number | null }[];
    };
    expect(summary.yoto).toHaveLength(5);
    expect(summary.baselines.map((b) => b.lambda)).toEqual([0.0057, 0.057]);
    expect(summary.control?.lambda).toBe(0.018);
    expect(summary.vsControl.map((r) => r.test)).toEqual(['YOTO (one model)', 'baselines (one model per λ)']);
    expect(summary.reference.map((p) => `${p.codec}:${p.quality}`)).toEqual(['jpeg:10', 'jpeg:30', 'jpeg:50', 'jpeg:70', 'jpeg:90']);
    for (let i = 1; i < 5; i++) {
      // JPEG spends more bits and gets closer to the original as the quality rises.
      expect(summary.reference[i].bpp).toBeGreaterThan(summary.reference[i - 1].bpp);
      expect(summary.reference[i].psnr).toBeGreaterThan(summary.reference[i - 1].psnr);
    }
    expect(summary.reference.every((p) => p.images === 2)).toBe(true);
    expect(summary.bd.map((b) => `${b.test} | ${b.anchor}`)).toEqual([
      'YOTO (one model) | baselines (one model per λ)',
      'YOTO (one model) | JPEG (mozjpeg)',
      'baselines (one model per λ) | JPEG (mozjpeg)',
    ]);
  });

  it('`exp report` re-renders from the tracker and the cached JPEG sweep', { timeout: LIMIT }, async () => {
    expect((await swept()).code).toBe(0);
    const before = readFileSync(join(dir, 'reference-codecs.json'), 'utf8');
    const r = await cli({}, 'report', 'compression-rd-sweep', '--profile', 'smoke');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe(join(dir, 'report.html'));
    expect(readFileSync(join(dir, 'reference-codecs.json'), 'utf8')).toBe(before);
  });

  it('the codec CLI compresses a Kodak image with the experiment’s YOTO checkpoint, at a λ and at a target rate', { timeout: LIMIT }, async () => {
    expect((await swept()).code).toBe(0);
    const tracker = openTracker(join(home, 'tracker.db'));
    const yoto = tracker.listRuns({ experiment: record }).find((x) => x.kind === 'yoto')!;
    tracker.close();
    const ckpt = join(home, 'checkpoints', String(yoto.id), 'checkpoint.yotockpt');
    const kodak = join(findDataset('kodak')!, 'kodim23.png');
    const c = await cli({}, 'codec', 'compress', '--model', ckpt, '--target-bpp', '2', kodak, 'k.yoto', '--json');
    expect(c.code, c.err).toBe(0);
    const res = JSON.parse(c.out.split('\n').at(-1)!) as { bpp: number; lambda: number; width: number; height: number };
    expect(res).toMatchObject({ width: 768, height: 512 });
    expect(res.lambda).toBeGreaterThanOrEqual(0.0018);
    expect(res.lambda).toBeLessThanOrEqual(0.18);
    const d = await cli({}, 'codec', 'decompress', '--model', ckpt, 'k.yoto', 'k.png');
    expect(d.code, d.err).toBe(0);
    expect(d.out).toContain('768×512');
  });
});
