import { CONDITIONING_SCOPE, ENTROPY_SCOPE, STEP_SCOPE } from '@yoto/tasks-compression/scopes';
import { z } from 'zod';
import { baselineSteps, checkInside, checkRange, choice, count, flag, nonNegative, numbers, points, positive, rangeSection, section, seedKey, trainSection, yotoSection } from '../config/keys.js';
import { trainedValues, type SweptBaselines } from './baseline-plan.js';
import { galleryLambdas } from './compression/gallery-lambdas.js';
import { defineSweep } from './define-sweep.js';
import { fmt } from './format.js';
import { lambdaGrid } from './log-grid.js';
import type { ExperimentPlan } from './types.js';

/*
 * One variable-rate compression model (Ballé et al. factorized prior, FiLM on log λ, λ-conditioned
 * entropy model; λ ~ LogUniform[0.0018, 0.18], each example's loss weighted by λ/√λ and 1/√λ) against fixed-λ baselines with the same backbone,
 * trained on random BSDS500 crops (train + test) and measured on Kodak with the real coder: bpp
 * of the file, PSNR and MS-SSIM of the decoded image. JPEG (mozjpeg), WebP and AVIF through sharp on
 * the same images are the classical reference points; the report adds the rate–distortion chart,
 * Bjøntegaard deltas and a gallery (see compression/).
 */

export const REFERENCE_CODECS = ['jpeg', 'webp', 'avif'] as const;

const config = z
  .strictObject({
    seed: seedKey(1),
    data: section({
      cropSize: z.int().min(16).multipleOf(16).default(64).meta({ description: "side of the square training crops (a multiple of 16, the transform's stride)", unit: 'px' }),
      evalImages: nonNegative(0, 'Kodak images evaluated (first n in file order; 0 = all 24)'),
      evalCrop: z
        .int()
        .min(0)
        // MS-SSIM's fifth scale needs an 11×11 window after four halvings.
        .refine((v) => v === 0 || v >= 176, { message: 'must be 0 (whole images) or at least 176 (MS-SSIM needs it)' })
        .default(0)
        .meta({ description: 'centre crop of each evaluation image (0 = whole images)', unit: 'px' }),
    }),
    // The benchmark shape (../shared/docs/benchmarks.md).
    model: section({
      // The scale hyperprior: −11.7% BD-rate against the factorized prior at equal steps on reduced runs
      // (docs/compression-recipe.md §3), and the model issue 14's target names.
      architecture: choice(['factorized', 'hyperprior'], 'hyperprior', "'factorized' (Ballé et al.'s factorized prior) or 'hyperprior' (the scale hyperprior, Ballé et al. 2018, with side information)"),
      N: count(64, 'channels of the transforms'),
      M: count(96, 'latent channels'),
      densityKnots: z.int().min(0).refine((k) => k !== 1, { message: 'must be 0 or an integer ≥ 2' }).default(8).meta({ description: "knots of the entropy model's λ-dependent density (0 = none)" }),
      conditioningHidden: count(64, 'hidden units of the conditioning (FiLM) network'),
      // The next two reach only the YOTO model (a baseline has no conditioning), so setting them
      // retrains it alone. See docs/compression-recipe.md §7 for what they did on reduced runs.
      filmMultiplier: positive(0.1, "the YOTO model's FiLM multiplier m (scale 1 + m·a(λ), shift m·b(λ)): how far a step of the conditioning network moves the modulation"),
      conditioningInit: choice(
        ['glorot', 'heHidden', 'reference'],
        'glorot',
        "how the YOTO model's conditioning MLP starts: Glorot-uniform hidden layer and heads ('glorot'), the hidden layer He-normal ('heHidden'), both He-normal as google-research YOTO's ('reference')",
      ),
      // The FiLM network sees log λ mapped onto [−1, 1] over the range: the space's 'range' encoding.
      // With 'lambda' each baseline learns its own step, started at the YOTO model's Δ at its λ and
      // trained at the same factor (conditioning.learningRateScale): without it a baseline can move its
      // operating point only through the analysis weights, and within this budget every baseline stayed
      // near the initial latent scale whatever its λ (research/baseline-lambda.ts).
      quantizationStep: choice(['unit', 'lambda'], 'lambda', "latents rounded with a learned step: λ-dependent for the YOTO model, the baseline's own for a baseline ('lambda'), or a step of 1 ('unit')"),
      // Cui et al. 2021's asymmetric inverse gain: the YOTO model's decoder scales ŷ by its own Δ'(λ) per
      // channel (baselines ignore it). See docs/compression-recipe.md §6 for what it did on reduced runs.
      decoderStep: choice(['encoder', 'own'], 'encoder', "the step the YOTO model's synthesis multiplies ŷ by: the encoder's Δ(λ) ('encoder') or its own learned Δ'(λ), started equal ('own'; needs quantizationStep 'lambda')"),
      // 'mixed' changed a 1,000-step baseline's loss by −0.7% (§2), but on 2,000-step YOTO runs at this
      // shape it lowered the loss at every λ (BD-rate −13.4%, a second seed −13.3%) and the equal-steps
      // fixed model's by 2.7% (docs/compression-recipe.md §6); on the default profile (2026-12-07) it moved
      // the YOTO model from +3.55% to +2.09% BD-rate against mozjpeg and from +15.07% to +7.93% against
      // the equal-steps control (README). It applies to every run: the references train as the YOTO model does.
      trainingQuantization: choice(['noise', 'mixed'], 'mixed', "what the synthesis trains on: the noisy latents ('noise') or, rate term unchanged, the rounded ones with a straight-through gradient ('mixed', Minnen & Singh 2020)"),
      // On raw RGB short runs left the green–magenta axis uncoded (the colour cast); 'whitened' codes it
      // from the start and lowered the loss of 1,000-step reduced runs by 49.6% (baseline) and 35–41% (YOTO)
      // (docs/compression-recipe.md §4).
      colourTransform: choice(['rgb', 'whitened'], 'whitened', "what the analysis reads: raw RGB in [0, 1] ('rgb') or colours whitened by the training pixels' statistics, the synthesis centred on their mean ('whitened')"),
    }),
    // 10: at 1 the density narrows by a fixed Adam step per step and the rate of an N=64/M=96 model at
    // λ=0.018 is still 1.55 bpp after 300 steps; at 10 it is 0.29 bpp by then, same distortion.
    entropy: section({ learningRateScale: positive(10, "factor on the entropy model's learning rate (its density must follow the latents within short budgets)") }),
    // With a λ-dependent quantization step and log λ mapped onto [−1, 1], 2,000-step YOTO runs
    // (research/lambda-response.ts) code 6 Kodak crops at 0.20 / 0.60 / 1.09 bpp for λ = 0.0018 / 0.018 /
    // 0.18 at factor 10, 0.03 / 0.32 / 0.85 bpp (and 0.5–3.5 dB lower PSNR) at factor 1.
    conditioning: section({ learningRateScale: positive(10, 'factor on the learning rate of the λ-conditioning (FiLM network and quantization steps)') }),
    lambda: rangeSection('λ', 0.0018, 0.18),
    // 5e-4 with a 100-step warm-up and gradients clipped to norm 1 (CompressAI's default clip). 1e-3
    // with the warm-up was 8–10% better on 1,000-step reduced runs (N=32, M=48; docs/compression-recipe.md)
    // but at N=64/M=96 the hyperprior's equal-steps control diverged at the end of its warm-up (loss
    // 1e25 from step ~400 on, never recovering; 2026-12-06 23:00) while the YOTO model did not.
    train: trainSection({ batchSize: 8, learningRate: 0.0005, schedule: 'cosine', checkpointEvery: 250, logEvery: 10, warmupSteps: 100, clipGradNorm: 1 }),
    // Sized to the 2-hour budget on the native kernels (wasm+dnnl), two workers: a conditioned step takes
    // about 0.12 s per worker and a fixed one 0.08 s, so 32,000 + 32,000 control + 5 × 8,000 steps took
    // 96 min with the evaluation (2026-12-07 10:57–12:32, README). 24,000 steps took 76 min and left the
    // YOTO model +2.09% BD-rate behind mozjpeg; 32,000 put it 3.42% ahead. YOTO takes 80% of the
    // baselines' steps.
    yoto: yotoSection(32000, {
      // google-research yoto's normalize_loss_weights. The raw loss λ·255²·MSE + bpp is ~22× larger at
      // λ = 0.18 than at 0.0018 (the 2026-12-06 default run), so under LogUniform sampling the top third of
      // the log range carries ~69% of the batch loss and the bottom third ~9%; divided by √λ (the weights'
      // geometric mean) the thirds carry ~26 / 30 / 44%, and each example keeps its own optimum. On the
      // same 2,000-step reduced run it lowered the loss at every λ, the top included (−6.6% at 0.0018,
      // −4.5% at 0.018, −4.2% at 0.18; BD-rate −17.9%; a second seed −4.8 to −6.0%, −17.1%; docs/compression-recipe.md §5).
      normalizeLossWeights: flag(true, "weigh each example's distortion and rate by λ/√λ and 1/√λ (its λ over their geometric mean) instead of λ and 1"),
      // Both only reach the YOTO run (the baselines and the control keep their identities); see
      // docs/compression-recipe.md §8 for what they did on reduced runs.
      lambdaSampling: choice(['independent', 'stratified'], 'independent', "how a batch's λ are drawn: each on its own ('independent') or one from each of the batch's equal-probability strata of LogUniform, in a random order ('stratified'; the same law per example)"),
      rangeMargin: z.number().min(1).default(1).meta({ description: "factor by which the YOTO model's training range reaches past each end of [lambda.low, lambda.high] on the log scale: it trains on [low/f, high·f] and is evaluated on [low, high] (1 = the evaluated range)" }),
    }),
    baselines: section({
      // Five λ, a factor √10 apart: the ends of the range and three inside; all are grid points.
      lambdas: numbers([0.0018, 0.0057, 0.018, 0.057, 0.18], 'λ of the fixed-λ baselines, inside [lambda.low, lambda.high]'),
      steps: baselineSteps(8000),
    }),
    // The equal-steps control: how much of a YOTO advantage is budget and how much is method. The
    // middle of the range (a grid point), trained for the YOTO model's steps.
    control: section({ lambda: z.number().min(0).default(0.018).meta({ description: 'λ of one baseline trained for as many steps as the YOTO model (0 = none)' }) }),
    evaluation: section({ points: points(9, "log-spaced λ over the range at which the YOTO model is evaluated (baselines' λ included)") }),
    reference: section({
      // AVIF (libaom, effort 4) costs ~6 s per Kodak image and quality with the 2 cores loaded (mozjpeg
      // 0.07 s): a few minutes to ~20 min once, then cached beside the report.
      codecs: z.array(z.enum(REFERENCE_CODECS)).default(['jpeg', 'webp', 'avif']).meta({ description: 'classical codecs through sharp on the evaluation images: jpeg (mozjpeg), webp, avif' }),
      qualities: z.array(z.int().min(1).max(100)).default([5, 10, 20, 30, 40, 50, 70, 90]).meta({ description: "the codecs' quality settings (1…100)" }),
    }),
    // One Kodak crop decoded at several λ; the default is the red macaw's eye and beak.
    gallery: section({
      image: z.string().regex(/^[\w.-]+$/, { message: 'must be a Kodak file stem such as kodim23' }).default('kodim23').meta({ description: 'Kodak file stem of the gallery image' }),
      x: nonNegative(400, 'left edge of the gallery crop', 'px'),
      y: nonNegative(96, 'top edge of the gallery crop', 'px'),
      size: z.int().min(16).multipleOf(16).default(192).meta({ description: 'side of the gallery crop (a multiple of 16)', unit: 'px' }),
      columns: count(5, 'λ columns of the gallery'),
    }),
  })
  .superRefine((c, ctx) => {
    checkRange(ctx, 'lambda', c.lambda);
    checkInside(ctx, 'baselines.lambdas', c.baselines.lambdas, c.lambda, 'λ');
    if (c.model.decoderStep === 'own' && c.model.quantizationStep !== 'lambda')
      ctx.addIssue({ code: 'custom', path: ['model', 'decoderStep'], message: "'own' needs model.quantizationStep 'lambda' (the decoder's step is learned beside the encoder's)" });
    if (c.control.lambda !== 0 && !(c.control.lambda >= c.lambda.low && c.control.lambda <= c.lambda.high))
      ctx.addIssue({ code: 'custom', path: ['control', 'lambda'], message: `must be 0 (no control) or inside the YOTO range [${c.lambda.low}, ${c.lambda.high}]` });
    if (c.reference.codecs.length > 0 && c.reference.qualities.length < 2)
      ctx.addIssue({ code: 'custom', path: ['reference', 'qualities'], message: 'must list at least 2 qualities (a curve needs two points)' });
  });

export type CompressionSweepConfig = z.infer<typeof config>;

/**
 * λ_distortion ~ LogUniform[low, high], the rate's weight fixed at 1. 'range': the knots of the entropy
 * model and Δ(λ) read λ's position in the range off the condition.
 */
function lambdaSpace(low: number, high: number): Record<string, unknown> {
  return { terms: ['distortion', 'rate'], distribution: { kind: 'logUniform', term: 'distortion', low, high }, encoding: { distortion: 'range' } };
}

/** Fixed-λ baselines: the distortion weight λ, rate weight 1; the control at `control.lambda`. */
const lambdaBaselines: SweptBaselines<CompressionSweepConfig> = {
  key: 'lambda',
  symbol: 'λ',
  values: (c) => c.baselines.lambdas,
  lambda: (l) => ({ distortion: l, rate: 1 }),
  control: (c) => c.control.lambda,
};

/**
 * A run's task. The YOTO model's (`yoto`) adds the options only a conditioned model reads
 * (decoderStep 'own', a FiLM multiplier other than 0.1, a conditioning initialisation other than
 * 'glorot'), so that setting them retrains the YOTO model alone: the baselines and the control keep
 * their identities (and their trained weights, which the options would not change).
 */
function compressionTask({ model: { architecture, decoderStep, filmMultiplier, conditioningInit, ...shape }, ...c }: CompressionSweepConfig, yoto: boolean): ExperimentPlan['task'] {
  return {
    name: 'bls-factorized',
    package: '@yoto/tasks-compression',
    options: {
      // Only when not the factorized prior, so factorized runs keep the identity they had without the key.
      ...(architecture === 'factorized' ? {} : { architecture }),
      // trainingQuantization only when 'mixed', colourTransform only when 'whitened', decoderStep only
      // when 'own' (the conditioning keys likewise only off their defaults), so runs with the models'
      // own defaults keep the identities they had before the keys existed.
      config: (({ trainingQuantization, colourTransform, ...rest }) => ({
        ...rest,
        ...(trainingQuantization === 'mixed' ? { trainingQuantization } : {}),
        ...(colourTransform === 'whitened' ? { colourTransform } : {}),
        ...(yoto && decoderStep === 'own' ? { decoderStep } : {}),
        ...(yoto && filmMultiplier !== 0.1 ? { filmMultiplier } : {}),
        ...(yoto && conditioningInit !== 'glorot' ? { conditioningInit } : {}),
      }))(shape),
      cropSize: c.data.cropSize,
      // Only when set, so whole-image profiles keep the run identity they had without it.
      ...(c.data.evalCrop > 0 ? { evalCrop: c.data.evalCrop } : {}),
    },
  };
}

export const compressionRdSweep = defineSweep<CompressionSweepConfig>({
  name: 'compression-rd-sweep',
  description: 'one variable-rate compression model (YOTO, λ ∈ [0.0018, 0.18]) vs fixed-λ baselines and JPEG, real bitstreams on Kodak',
  config,
  profiles: {
    smoke: {
      description: 'tiny end-to-end check (tests): N=8/M=16, 32 px crops, 2 Kodak crops of 176 px, tens of steps',
      overrides: {
        data: { cropSize: 32, evalImages: 2, evalCrop: 176 },
        // The factorized prior: the smoke tests exercise its codec path and the explorer's slider on it.
        model: { architecture: 'factorized', N: 8, M: 16, densityKnots: 4, conditioningHidden: 8, quantizationStep: 'lambda' },
        // 1e-3 unclipped: the tens of steps of a smoke run need the larger step, and its tiny model does not diverge.
        // A 5-step warm-up: the default's 100 steps outlasted every smoke run (40 and 20 steps), which
        // then trained at a fraction of that rate throughout.
        train: { batchSize: 4, learningRate: 0.001, clipGradNorm: 0, warmupSteps: 5, checkpointEvery: 20, logEvery: 5 },
        yoto: { steps: 40 },
        baselines: { lambdas: [0.0057, 0.057], steps: 20 },
        control: { lambda: 0.018 },
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
        model: { N: 128, M: 192, densityKnots: 8, conditioningHidden: 64, quantizationStep: 'lambda' },
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
  datasets: ['bsds500', 'kodak'],
  task: (c) => compressionTask(c, false),
  yotoTask: (c) => compressionTask(c, true),
  space: (c) => lambdaSpace(c.lambda.low, c.lambda.high),
  // The same middle (√(low·high)), so the YOTO model's initial Δ(λ) is unchanged inside the evaluated range.
  yotoSpace: (c) => lambdaSpace(c.lambda.low / c.yoto.rangeMargin, c.lambda.high * c.yoto.rangeMargin),
  yotoLabel: (c) => `yoto λ∈[${fmt(c.lambda.low)},${fmt(c.lambda.high)}]${c.yoto.rangeMargin !== 1 ? ` (trained on [${fmt(c.lambda.low / c.yoto.rangeMargin)},${fmt(c.lambda.high * c.yoto.rangeMargin)}])` : ''}`,
  baselines: lambdaBaselines,
  // A baseline has no conditioning; its own quantization step gets the factor of the YOTO model's
  // steps, so both move their operating point equally fast.
  learningRateScales: (c, kind) => ({
    [ENTROPY_SCOPE]: c.entropy.learningRateScale,
    ...(kind === 'yoto' ? { [CONDITIONING_SCOPE]: c.conditioning.learningRateScale } : {}),
    ...(kind === 'baseline' && c.model.quantizationStep === 'lambda' ? { [STEP_SCOPE]: c.conditioning.learningRateScale } : {}),
  }),
  normalizeLossWeights: (c, kind) => kind === 'yoto' && c.yoto.normalizeLossWeights,
  stratifiedLambdas: (c) => c.yoto.lambdaSampling === 'stratified',
  grid: (c) => lambdaGrid(c.lambda.low, c.lambda.high, c.evaluation.points, trainedValues(c, lambdaBaselines)).map((l) => lambdaBaselines.lambda(l)),
  evaluation: (c) => ({ limit: c.data.evalImages, batchSize: 1 }),
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
    options: (c, grid) => ({
      gallery: { ...c.gallery, lambdas: galleryLambdas(grid.map((g) => g.distortion), c.baselines.lambdas, c.gallery.columns) },
      reference: { codecs: [...c.reference.codecs], qualities: [...c.reference.qualities] },
    }),
    draw: async () => (await import('./compression/rd-pictures.js')).compressionPictures,
  },
  extendReport: async () => (await import('./compression/rd-report.js')).compressionReport,
});
