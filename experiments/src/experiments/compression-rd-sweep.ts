import { CONDITIONING_SCOPE, ENTROPY_SCOPE } from '@yoto/tasks-compression/scopes';
import { UsageError } from '../errors.js';
import { requireNonNegativeInt, requirePositiveInt } from '../config/checks.js';
import { verifyDatasets } from './verify-datasets.js';
import { sweepRuns, type TrainSettings } from './plan-helpers.js';
import type { ExperimentDefinition, ExperimentPlan } from './types.js';
import { fmt } from './format.js';
import { evaluationLogGrid } from './log-grid.js';

/**
 * One variable-rate compression model (Ballé et al. factorized prior, FiLM on log λ, λ-conditioned
 * entropy model; λ ~ LogUniform[0.0018, 0.18]) against fixed-λ baselines with the same backbone,
 * trained on random BSDS500 crops (train + test) and measured on Kodak with the real coder: bpp
 * of the file, PSNR and MS-SSIM of the decoded image. JPEG (mozjpeg) and WebP through sharp on the
 * same images are the classical reference points; the report adds the rate–distortion chart,
 * Bjøntegaard deltas and a gallery (see compression/).
 */
export interface CompressionSweepConfig {
  seed: number;
  data: {
    /** Side of the square training crops (a multiple of 16). */
    cropSize: number;
    /** Kodak images evaluated (first n in file order; 0 = all 24). */
    evalImages: number;
    /** Centre crop of each evaluation image (0 = whole images; ≥ 176 for MS-SSIM's five scales). */
    evalCrop: number;
  };
  /**
   * quantizationStep as in the model's configuration: whether the latents are rounded with a learned
   * λ-dependent step ('lambda') or a step of 1 ('unit'); baselines ignore it. The FiLM network sees
   * log λ mapped onto [−1, 1] over the range: the space's 'range' encoding.
   */
  model: {
    /** 'factorized' (Ballé et al.'s factorized prior) or 'hyperprior' (the scale hyperprior, Ballé et al. 2018). */
    architecture: 'factorized' | 'hyperprior';
    N: number;
    M: number;
    densityKnots: number;
    conditioningHidden: number;
    quantizationStep: 'unit' | 'lambda';
  };
  /** Factor on the entropy model's learning rate (its density must follow the latents within short budgets). */
  entropy: { learningRateScale: number };
  /** Factor on the learning rate of the λ-conditioning (FiLM network and quantization steps). */
  conditioning: { learningRateScale: number };
  lambda: { low: number; high: number };
  train: TrainSettings;
  yoto: { steps: number };
  baselines: { lambdas: number[]; steps: number };
  /** The YOTO model is evaluated at this many log-spaced λ over the range (baselines' λ included). */
  evaluation: { points: number };
  /** Classical codecs through sharp on the evaluation images: jpeg (mozjpeg), webp, avif. */
  reference: { codecs: string[]; qualities: number[] };
  /** One Kodak crop decoded at several λ: file stem, window and the number of λ columns. */
  gallery: { image: string; x: number; y: number; size: number; columns: number };
}

export const REFERENCE_CODECS = ['jpeg', 'webp', 'avif'] as const;

const config: CompressionSweepConfig = {
  seed: 1,
  data: { cropSize: 64, evalImages: 0, evalCrop: 0 },
  // The benchmark shape (../shared/docs/benchmarks.md).
  model: { architecture: 'factorized', N: 64, M: 96, densityKnots: 8, conditioningHidden: 64, quantizationStep: 'lambda' },
  // 10: at 1 the density narrows by a fixed Adam step per step and the rate of an N=64/M=96 model at
  // λ=0.018 is still 1.55 bpp after 300 steps; at 10 it is 0.29 bpp by then, same distortion.
  entropy: { learningRateScale: 10 },
  // With a λ-dependent quantization step and log λ mapped onto [−1, 1], 2,000-step YOTO runs
  // (research/lambda-response.ts) code 6 Kodak crops at 0.20 / 0.60 / 1.09 bpp for λ = 0.0018 / 0.018 /
  // 0.18 at factor 10, 0.03 / 0.32 / 0.85 bpp (and 0.5–3.5 dB lower PSNR) at factor 1.
  conditioning: { learningRateScale: 10 },
  lambda: { low: 0.0018, high: 0.18 },
  // 5e-4: of 1e-4 … 5e-3 tried for 400 steps (N=32, M=48, λ = 0.05), the lowest loss; 5e-3 diverged.
  train: { batchSize: 8, learningRate: 0.0005, schedule: 'cosine', checkpointEvery: 250, logEvery: 10 },
  // With two workers the YOTO run ends about when the third baseline does and the last two share the
  // workers: (10,500 + 5 × 3,500) / 2 step-lengths, at ~0.28 s per step (two workers on a quiet
  // 2-core machine) about 65–75 min, plus the evaluation (measured: 4,828 s in all). YOTO takes 60% of
  // the baselines' steps.
  yoto: { steps: 10500 },
  // Five λ, a factor √10 apart: the ends of the range and three inside; all are grid points.
  baselines: { lambdas: [0.0018, 0.0057, 0.018, 0.057, 0.18], steps: 3500 },
  evaluation: { points: 9 },
  reference: { codecs: ['jpeg', 'webp'], qualities: [5, 10, 20, 30, 40, 50, 70, 90] },
  // The red macaw's eye and beak.
  gallery: { image: 'kodim23', x: 400, y: 96, size: 192, columns: 5 },
};

export const compressionRdSweep: ExperimentDefinition<CompressionSweepConfig> = {
  name: 'compression-rd-sweep',
  description: 'one variable-rate compression model (YOTO, λ ∈ [0.0018, 0.18]) vs fixed-λ baselines and JPEG, real bitstreams on Kodak',
  config,
  keyTypes: {
    'lambda.low': 'number',
    'lambda.high': 'number',
    'train.learningRate': 'number',
    'entropy.learningRateScale': 'number',
    'conditioning.learningRateScale': 'number',
    'baselines.lambdas': 'number[]',
    'reference.qualities': 'number[]',
    'reference.codecs': 'string[]',
  },
  profiles: {
    smoke: {
      description: 'tiny end-to-end check (tests): N=8/M=16, 32 px crops, 2 Kodak crops of 176 px, tens of steps',
      overrides: {
        data: { cropSize: 32, evalImages: 2, evalCrop: 176 },
        model: { architecture: 'factorized', N: 8, M: 16, densityKnots: 4, conditioningHidden: 8, quantizationStep: 'lambda' },
        train: { batchSize: 4, checkpointEvery: 20, logEvery: 5 },
        yoto: { steps: 40 },
        baselines: { lambdas: [0.0057, 0.057], steps: 20 },
        evaluation: { points: 5 },
        reference: { codecs: ['jpeg'], qualities: [10, 30, 50, 70, 90] },
        gallery: { image: 'kodim23', x: 448, y: 160, size: 64, columns: 3 },
      },
    },
    default: { description: 'the real comparison on a 2-core CPU (≤ 2 hours with 2 workers)', overrides: {} },
    full: {
      description: 'paper-scale budgets (CompressAI shape N=128/M=192, 256 px crops), for a GPU (tfjs-node-gpu)',
      overrides: {
        data: { cropSize: 256 },
        model: { architecture: 'factorized', N: 128, M: 192, densityKnots: 8, conditioningHidden: 64, quantizationStep: 'lambda' },
        train: { batchSize: 16, learningRate: 0.0001, checkpointEvery: 5000, logEvery: 100 },
        yoto: { steps: 400_000 },
        // CompressAI's MSE qualities 1–8 (λ 0.0018 … 0.0932) and the top of the range.
        baselines: { lambdas: [0.0018, 0.0035, 0.0067, 0.013, 0.025, 0.0483, 0.0932, 0.18], steps: 200_000 },
        evaluation: { points: 17 },
        reference: { codecs: ['jpeg', 'webp', 'avif'], qualities: [5, 10, 15, 20, 30, 40, 50, 60, 70, 80, 85, 90, 95] },
        gallery: { image: 'kodim23', x: 368, y: 64, size: 256, columns: 6 },
      },
    },
  },
  validate(c) {
    for (const [v, key] of [
      [c.yoto.steps, 'yoto.steps'],
      [c.baselines.steps, 'baselines.steps'],
      [c.train.batchSize, 'train.batchSize'],
      [c.train.checkpointEvery, 'train.checkpointEvery'],
      [c.train.logEvery, 'train.logEvery'],
      [c.model.N, 'model.N'],
      [c.model.M, 'model.M'],
      [c.model.conditioningHidden, 'model.conditioningHidden'],
      [c.gallery.size, 'gallery.size'],
      [c.gallery.columns, 'gallery.columns'],
    ] as const)
      requirePositiveInt(v, key);
    requireNonNegativeInt(c.data.evalImages, 'data.evalImages');
    requireNonNegativeInt(c.gallery.x, 'gallery.x');
    requireNonNegativeInt(c.gallery.y, 'gallery.y');
    if (!Number.isInteger(c.model.densityKnots) || c.model.densityKnots < 0 || c.model.densityKnots === 1)
      throw new UsageError(`model.densityKnots must be 0 or an integer ≥ 2, got ${c.model.densityKnots}`);
    if (!Number.isInteger(c.data.cropSize) || c.data.cropSize < 16 || c.data.cropSize % 16 !== 0)
      throw new UsageError(`data.cropSize must be a multiple of 16 (the transform's stride), got ${c.data.cropSize}`);
    if (!Number.isInteger(c.data.evalCrop) || (c.data.evalCrop !== 0 && c.data.evalCrop < 176))
      // MS-SSIM's fifth scale needs an 11×11 window after four halvings.
      throw new UsageError(`data.evalCrop must be 0 (whole images) or at least 176 (MS-SSIM needs it), got ${c.data.evalCrop}`);
    if (c.gallery.size % 16 !== 0) throw new UsageError(`gallery.size must be a multiple of 16, got ${c.gallery.size}`);
    if (!/^[\w.-]+$/.test(c.gallery.image)) throw new UsageError(`gallery.image must be a Kodak file stem such as kodim23, got '${c.gallery.image}'`);
    if (!Number.isInteger(c.evaluation.points) || c.evaluation.points < 2)
      throw new UsageError(`evaluation.points must be an integer ≥ 2, got ${c.evaluation.points}`);
    if (!(c.lambda.low > 0 && c.lambda.low < c.lambda.high))
      throw new UsageError(`lambda.low and lambda.high need 0 < low < high, got ${c.lambda.low} and ${c.lambda.high}`);
    if (c.train.schedule !== 'cosine' && c.train.schedule !== 'constant')
      throw new UsageError(`train.schedule must be 'cosine' or 'constant', got '${c.train.schedule}'`);
    if (!(Number.isFinite(c.entropy.learningRateScale) && c.entropy.learningRateScale > 0))
      throw new UsageError(`entropy.learningRateScale must be a number > 0, got ${c.entropy.learningRateScale}`);
    if (!(Number.isFinite(c.conditioning.learningRateScale) && c.conditioning.learningRateScale > 0))
      throw new UsageError(`conditioning.learningRateScale must be a number > 0, got ${c.conditioning.learningRateScale}`);
    if (c.model.architecture !== 'factorized' && c.model.architecture !== 'hyperprior')
      throw new UsageError(`model.architecture must be 'factorized' or 'hyperprior', got '${c.model.architecture}'`);
    if (c.model.quantizationStep !== 'unit' && c.model.quantizationStep !== 'lambda')
      throw new UsageError(`model.quantizationStep must be 'unit' or 'lambda', got '${c.model.quantizationStep}'`);
    if (!(c.train.learningRate > 0)) throw new UsageError(`train.learningRate must be > 0, got ${c.train.learningRate}`);
    if (c.baselines.lambdas.length === 0) throw new UsageError('baselines.lambdas must list at least one λ');
    for (const l of c.baselines.lambdas)
      if (!(l >= c.lambda.low && l <= c.lambda.high))
        // The YOTO model never trains outside its range; a baseline there would be an unfair comparison.
        throw new UsageError(`baselines.lambdas: λ=${l} lies outside the YOTO range [${c.lambda.low}, ${c.lambda.high}]`);
    if (new Set(c.baselines.lambdas).size !== c.baselines.lambdas.length)
      throw new UsageError(`baselines.lambdas lists a λ twice: ${c.baselines.lambdas.join(',')}`);
    for (const codec of c.reference.codecs)
      if (!(REFERENCE_CODECS as readonly string[]).includes(codec))
        throw new UsageError(`reference.codecs: unknown codec '${codec}'; codecs: ${REFERENCE_CODECS.join(', ')}`);
    for (const q of c.reference.qualities)
      if (!(Number.isInteger(q) && q >= 1 && q <= 100)) throw new UsageError(`reference.qualities must be integers in 1…100, got ${q}`);
    if (c.reference.codecs.length > 0 && c.reference.qualities.length < 2)
      throw new UsageError('reference.qualities must list at least 2 qualities (a curve needs two points)');
  },
  async preflight(_c, env) {
    // Fail before any worker starts, naming the missing or corrupt file and how to mend it.
    await verifyDatasets(['bsds500', 'kodak'], env);
  },
  plan(c): ExperimentPlan {
    // Learning-rate factors by parameter scope; a baseline has no conditioning to scale.
    const runs = sweepRuns(
      c,
      `yoto λ∈[${fmt(c.lambda.low)},${fmt(c.lambda.high)}]`,
      c.baselines.lambdas.map((l) => ({ key: `baseline-lambda=${fmt(l)}`, label: `λ=${fmt(l)}`, lambda: { distortion: l, rate: 1 } })),
    ).map((r) => ({
      ...r,
      training: {
        ...r.training,
        learningRateScales: {
          [ENTROPY_SCOPE]: c.entropy.learningRateScale,
          ...(r.kind === 'yoto' ? { [CONDITIONING_SCOPE]: c.conditioning.learningRateScale } : {}),
        },
      },
    }));
    const { architecture, ...shape } = c.model;
    const grid = lambdaGrid(c.lambda.low, c.lambda.high, c.evaluation.points, c.baselines.lambdas).map((l) => ({ distortion: l, rate: 1 }));
    return {
      task: {
        name: 'bls-factorized',
        package: '@yoto/tasks-compression',
        options: {
          // Only when not the factorized prior, so factorized runs keep the identity they had without the key.
          ...(architecture === 'factorized' ? {} : { architecture }),
          config: shape,
          cropSize: c.data.cropSize,
          // Only when set, so whole-image profiles keep the run identity they had without it.
          ...(c.data.evalCrop > 0 ? { evalCrop: c.data.evalCrop } : {}),
        },
      },
      space: {
        terms: ['distortion', 'rate'],
        distribution: { kind: 'logUniform', term: 'distortion', low: c.lambda.low, high: c.lambda.high },
        encoding: { distortion: 'range' },
      },
      runs,
      grid,
      evaluation: { limit: c.data.evalImages, batchSize: 1 },
      report: {
        lambdaTerm: 'distortion',
        lambdaTitle: 'λ',
        metricTitles: {
          bpp: 'rate (bits per pixel, real file)',
          psnr: 'PSNR (dB, RGB)',
          ms_ssim: 'MS-SSIM',
          ms_ssim_db: 'MS-SSIM (dB)',
          loss: 'λ·255²·MSE + bpp',
          distortion: '255²·MSE',
          rate: 'rate (bpp)',
          estimated_bpp: 'estimated bpp (model)',
        },
        curves: ['loss', 'distortion', 'rate'],
        x: 'bpp',
        y: 'psnr',
        metrics: ['loss', 'bpp', 'psnr', 'ms_ssim_db'],
        // The generic per-point check on the trained objective; the headline is BD-PSNR in the report.
        gapMetric: 'loss',
        gapTarget: 0.05,
      },
      pictures: {
        gallery: { ...c.gallery, lambdas: galleryLambdas(grid.map((g) => g.distortion), c.baselines.lambdas, c.gallery.columns) },
        reference: { codecs: [...c.reference.codecs], qualities: [...c.reference.qualities] },
      },
    };
  },
  async pictures(ctx) {
    // Lazy: the definition is also loaded by the CLI process, which should not load tfjs.
    const { compressionPictures } = await import('./compression/rd-pictures.js');
    return compressionPictures(ctx);
  },
  async extendReport(ctx) {
    const { compressionReport } = await import('./compression/rd-report.js');
    return compressionReport(ctx);
  },
};

/**
 * `n` log-spaced λ from low to high (exact ends, 12 significant digits), with each baseline λ
 * replacing the grid point nearest to it (or added when none is within a quarter step), so the YOTO
 * model is measured exactly where every baseline is.
 */
export function lambdaGrid(low: number, high: number, n: number, baselines: readonly number[]): number[] {
  const step = (Math.log(high) - Math.log(low)) / (n - 1);
  const grid = evaluationLogGrid(low, high, n);
  for (const b of baselines) {
    let best = 0;
    for (let k = 1; k < n; k++) if (Math.abs(Math.log(grid[k] / b)) < Math.abs(Math.log(grid[best] / b))) best = k;
    if (Math.abs(Math.log(grid[best] / b)) <= step / 4) grid[best] = b;
    else grid.push(b);
  }
  return [...new Set(grid)].sort((x, y) => x - y);
}

/** The gallery's λ columns: every baseline λ, then grid points spread over the range up to `columns`. */
export function galleryLambdas(grid: readonly number[], baselines: readonly number[], columns: number): number[] {
  const picked = new Set(baselines.slice(0, columns));
  const sorted = [...grid].sort((x, y) => x - y);
  for (let k = 0; picked.size < columns && k < sorted.length; k++) {
    // Fill from the ends inwards so the extremes of the range are always shown.
    const i = k % 2 === 0 ? k / 2 : sorted.length - 1 - (k - 1) / 2;
    picked.add(sorted[i]);
  }
  return [...picked].sort((x, y) => x - y);
}

