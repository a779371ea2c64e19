import * as tf from '@tensorflow/tfjs';
import { Rng } from '@yoto/core';
import { EntropyBottleneck } from './bottleneck.js';
import type { FactorizedPrior } from '../model/factorized-prior.js';

export interface RefitOptions {
  steps: number;
  /** Adam step size (default 1e-3). */
  lr?: number;
  /** Seed of the λ draws and of the quantization noise. */
  seed?: number;
}

/**
 * Trains the entropy model alone on the latents of the frozen transforms, λ drawn per example from
 * the model's space. The density trained jointly lags the latents it codes (they keep moving); a
 * short refit at the end of training fits the final ones. `images(step)` returns a batch
 * [B, H, W, 3] in [0, 1] (owned by the caller). Returns the mean bits per pixel (with noise) of the
 * first and the last step.
 */
export function refitEntropyModel(model: FactorizedPrior, images: (step: number) => tf.Tensor4D, options: RefitOptions): { firstBpp: number; lastBpp: number } {
  if (!Number.isInteger(options.steps) || options.steps < 1) throw new Error(`refitEntropyModel: steps must be a positive integer, got ${options.steps}`);
  const opt = tf.train.adam(options.lr ?? 1e-3);
  const rng = new Rng(options.seed ?? 0);
  const vars = model.bottleneck.variables;
  let firstBpp = NaN;
  let lastBpp = NaN;
  for (let step = 0; step < options.steps; step++) {
    const x = images(step);
    const [b, h, w] = x.shape;
    const lambdas = model.space.sample(b, rng);
    const condition = model.conditioned ? model.space.condition(lambdas, b) : null;
    // Latents without a gradient path to the transforms: only the density moves.
    const y = tf.tidy(() => EntropyBottleneck.addNoise(model.analysis(x, condition), rng.nextUint32()));
    const cost = opt.minimize(() => tf.tidy(() => tf.div(tf.mean(model.bitsOf(y, condition)), h * w)) as tf.Scalar, true, vars)!;
    const bpp = cost.dataSync()[0];
    if (step === 0) firstBpp = bpp;
    lastBpp = bpp;
    tf.dispose([cost, y, ...(condition ? [condition] : [])]);
  }
  opt.dispose();
  return { firstBpp, lastBpp };
}
