/**
 * Does a fixed-λ compression baseline's PSNR follow λ? Trains one baseline per λ (the trainer of
 * @yoto/core in mode 'fixed', as the experiment does) and reports, per λ:
 *   - the real coder on Kodak centre crops: bpp, PSNR, and the mean colour error per channel
 *     (decoded − original, 8-bit levels: a cast shows as a large signed mean);
 *   - on held-back BSDS500 crops: distortion with the training noise (what the loss saw) and with
 *     rounding (what the codec does), and the latents' spread (std of y per channel, median over
 *     channels) — a rounding/noise gap that grows with λ points at the quantization, not the budget.
 *
 *   YOTO_DATA=../shared/data pnpm exec tsx research/baseline-lambda.ts [--lambdas 0.0018,0.018,0.18]
 *     [--steps 600] [--n 32] [--m 48] [--crop 64] [--batch 8] [--lr 5e-4] [--entropy-lr-scale 10]
 *     [--images 4] [--eval-crop 256] [--backend b] [--step unit|lambda] [--step-lr-scale 10] [--seed 1] [--warmup 0] [--mixed] [--yoto] [--colour rgb|whitened]
 *
 * --step lambda gives each baseline its own learned per-channel quantization step Δ, started at the
 * YOTO model's Δ(λ) for its λ (config quantizationStep 'lambda'), with the learning-rate factor
 * --step-lr-scale (the experiment uses conditioning.learningRateScale, the YOTO steps' factor).
 * --yoto trains one λ-conditioned model instead (the experiment's YOTO run, conditioning factor
 * --step-lr-scale) and measures it at every λ, for a same-budget comparison.
 * The latent std is in quantization steps (y/Δ). --mixed trains with mixed quantization (config
 * trainingQuantization 'mixed'), --warmup warms the learning rate up linearly over that many steps,
 * --colour whitened trains in the model's whitened colour space (config colourTransform).
 */
import * as tf from '@tensorflow/tfjs';
import { ConsoleSink, initBackend, train } from '@yoto/core';
import { parseFlagsOrExit } from '@yoto/flags';
import { BlsFactorizedTask, CONDITIONING_SCOPE, ENTROPY_SCOPE, STEP_SCOPE, type CompressionModel, FactorizedPrior, codecContext, compressAt, decompress } from '@yoto/tasks-compression';

const S = { type: 'string' } as const;
const I = { type: 'integer' } as const;
const B = { type: 'boolean' } as const;
const { flags: f } = parseFlagsOrExit(
  'baseline-lambda',
  process.argv.slice(2),
  { lambdas: S, steps: I, n: I, m: I, crop: I, batch: I, lr: S, 'entropy-lr-scale': S, images: I, 'eval-crop': I, backend: S, seed: I, step: S, 'step-lr-scale': S, warmup: I, mixed: B, yoto: B, colour: S },
  'see the header of this file',
) as { flags: Record<string, string | number | boolean | undefined> };
const num = (key: string, fallback: number): number => {
  const v = f[key] === undefined ? fallback : Number(f[key]);
  if (!Number.isFinite(v)) throw new Error(`baseline-lambda: --${key} must be a number, got '${String(f[key])}'`);
  return v;
};
const lambdas = String(f.lambdas ?? '0.0018,0.018,0.18')
  .split(',')
  .map(Number);
const steps = (f.steps as number | undefined) ?? 600;
const step = (f.step as string | undefined) ?? 'unit';
if (step !== 'unit' && step !== 'lambda') throw new Error(`baseline-lambda: --step must be 'unit' or 'lambda', got '${step}'`);
const colour = (f.colour as string | undefined) ?? 'rgb';
if (colour !== 'rgb' && colour !== 'whitened') throw new Error(`baseline-lambda: --colour must be 'rgb' or 'whitened', got '${colour}'`);
const backend = await initBackend(f.backend as string | undefined);
const task = new BlsFactorizedTask({
  config: { N: (f.n as number | undefined) ?? 32, M: (f.m as number | undefined) ?? 48, quantizationStep: step, ...(f.mixed ? { trainingQuantization: 'mixed' as const } : {}), ...(colour === 'whitened' ? { colourTransform: 'whitened' as const } : {}) },
  cropSize: (f.crop as number | undefined) ?? 64,
  evalCrop: (f['eval-crop'] as number | undefined) ?? 256,
});
await task.prepare();
const images = await task.evaluationImages((f.images as number | undefined) ?? 4);
const t0 = performance.now();
const log = (line: string): void => console.log(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${line}`);
log(`backend ${backend.name}; ${steps} steps per baseline; quantization step ${step}`);

/** Distortion (255²·MSE) of held-back crops with noise and with rounding, and the median latent std. */
/** The task is built with its default architecture, so its models are factorized priors. */
function factorized(model: CompressionModel): FactorizedPrior {
  if (!(model instanceof FactorizedPrior)) throw new Error('baseline-lambda studies the factorized prior; the task built another architecture');
  return model;
}

function heldBack(model: FactorizedPrior, lambda: number): { noisy: number; rounded: number; latentStd: number } {
  const batch = task.trainBatch({ step: 900_000, batchSize: 8, seed: 11 });
  const x = batch.tensors.x as tf.Tensor4D;
  const cond = model.conditionFor(Array<number>(8).fill(lambda));
  const d = (xHat: tf.Tensor4D): number => tf.tidy(() => tf.mean(tf.squaredDifference(xHat, x)).dataSync()[0] * 255 * 255);
  const tr = model.trainForward(x, cond, 7);
  const ev = model.evalForward(x, cond);
  const noisy = d(tr.xHat);
  const rounded = d(ev.xHat);
  const std = tf.tidy(() => {
    const y = model.analysis(x, cond);
    const { variance } = tf.moments(y, [0, 1, 2]);
    return Array.from(tf.sqrt(variance).dataSync()).sort((a, b) => a - b);
  });
  tf.dispose([tr.xHat, tr.bits, ev.xHat, ev.bits, x, ...(cond ? [cond] : [])]);
  return { noisy, rounded, latentStd: std[Math.floor(std.length / 2)] };
}

/** Real files on the Kodak crops at λ: bpp, PSNR of the mean MSE, mean signed error per channel. */
function measure(model: FactorizedPrior, lambda: number): void {
  const ctx = codecContext(model);
  let bpp = 0;
  let mse = 0;
  const bias = [0, 0, 0];
  for (const img of images) {
    const enc = compressAt(model, img, lambda, ctx);
    const dec = decompress(model, enc.bytes, {}, ctx).image;
    bpp += enc.bpp / images.length;
    let se = 0;
    const sums = [0, 0, 0];
    for (let i = 0; i < img.data.length; i++) {
      const e = dec.data[i] - img.data[i];
      se += e * e;
      sums[i % 3] += e;
    }
    mse += se / img.data.length / images.length;
    for (let c = 0; c < 3; c++) bias[c] += sums[c] / (img.data.length / 3) / images.length;
  }
  const hb = heldBack(model, lambda);
  log(
    `λ=${lambda}: Kodak ${bpp.toFixed(3)} bpp, ${(10 * Math.log10((255 * 255) / mse)).toFixed(2)} dB (PSNR of mean MSE), colour error R/G/B ${bias.map((b) => b.toFixed(1)).join('/')}; ` +
      `held-back D noisy ${hb.noisy.toFixed(1)} rounded ${hb.rounded.toFixed(1)}, median latent std ${hb.latentStd.toFixed(3)}`,
  );
}

const common = {
  steps,
  batchSize: (f.batch as number | undefined) ?? 8,
  seed: (f.seed as number | undefined) ?? 1,
  optimizer: { lr: num('lr', 5e-4) },
  schedule: { kind: 'cosine' as const, warmupSteps: (f.warmup as number | undefined) ?? 0 },
  logEvery: Math.max(1, Math.floor(steps / 4)),
};
const every = Math.max(1, Math.floor(steps / 4));
if (f.yoto) {
  // One λ-conditioned model with the experiment's factors, measured at every λ.
  const { model } = await train(
    task,
    { ...common, mode: 'yoto', learningRateScales: { [ENTROPY_SCOPE]: num('entropy-lr-scale', 10), [CONDITIONING_SCOPE]: num('step-lr-scale', 10) } },
    { sink: new ConsoleSink(every, (l) => log(`yoto ${l}`)) },
  );
  for (const lambda of lambdas) measure(factorized(model), lambda);
  model.dispose();
} else
  for (const lambda of lambdas) {
    const { model } = await train(
      task,
      {
        ...common,
        mode: 'fixed',
        lambda: { distortion: lambda, rate: 1 },
        learningRateScales: { [ENTROPY_SCOPE]: num('entropy-lr-scale', 10), ...(step === 'lambda' ? { [STEP_SCOPE]: num('step-lr-scale', 10) } : {}) },
      },
      { sink: new ConsoleSink(every, (l) => log(`λ=${lambda} ${l}`)) },
    );
    measure(factorized(model), lambda);
    model.dispose();
  }
