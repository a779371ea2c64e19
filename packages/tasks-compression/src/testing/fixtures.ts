import * as tf from '@tensorflow/tfjs';
import { Rng } from '@yoto/core';
import type { ImageU8 } from '../codec/image.js';
import { FactorizedPrior } from '../model/factorized-prior.js';
import { ScaleHyperprior } from '../model/scale-hyperprior.js';
import { BlsFactorizedTask } from '../task/bls-task.js';

/** Test helpers: a tiny model and smooth synthetic images (no dataset needed). */

export const TINY = { N: 8, M: 16, densityKnots: 4, conditioningHidden: 8 };

export function tinyModel(conditioned = true, seed = 1, space = new BlsFactorizedTask().defaultSpace()): FactorizedPrior {
  return new FactorizedPrior({ space, conditioned, seed, config: TINY });
}

/** A tiny scale-hyperprior model with the same shape (N = 8 hyper-latent channels, M = 16). */
export function tinyHyperprior(conditioned = true, seed = 1, space = new BlsFactorizedTask().defaultSpace()): ScaleHyperprior {
  return new ScaleHyperprior({ space, conditioned, seed, config: TINY });
}

/** A smooth colour image with some texture: gradients plus a few sinusoids plus mild noise. */
export function syntheticImage(width: number, height: number, seed = 1): ImageU8 {
  const rng = new Rng(seed);
  const f = Array.from({ length: 9 }, () => rng.uniform());
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < 3; c++) {
        const v =
          128 +
          60 * Math.sin((x * (0.02 + 0.1 * f[c])) + y * 0.03 * f[c + 3] + c) +
          40 * Math.cos(y * (0.05 + 0.1 * f[c + 6]) - x * 0.01) +
          (rng.uniform() - 0.5) * 12;
        data[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v)));
      }
  return { width, height, data };
}

/** Images as a [n, h, w, 3] tensor in [0, 1]. */
export function batchOf(images: ImageU8[]): tf.Tensor4D {
  const { width, height } = images[0];
  const data = new Float32Array(images.length * width * height * 3);
  images.forEach((img, i) => data.set(Float32Array.from(img.data, (v) => v / 255), i * width * height * 3));
  return tf.tensor4d(data, [images.length, height, width, 3]);
}

/**
 * Makes the rate of an untrained conditioned model increase with λ, so a λ search has something to
 * find: the density's scale grows from e⁻³ at the lowest knot to e⁰ at the highest (narrow density,
 * few bits at low λ), and the last analysis FiLM's scale becomes 1 + 0.1·(2·(log λ + 10) − 7),
 * about 1.04 at the bottom of the range and 1.96 at the top, through one hidden unit that is linear there.
 */
export function makeRateIncreaseWithLambda(model: FactorizedPrior): void {
  const byName = new Map(model.params.entries());
  const get = (name: string): tf.Variable => {
    const v = byName.get(name);
    if (!v) throw new Error(`no parameter ${name}; have ${[...byName.keys()].filter((k) => k.startsWith('conditioning')).join(', ')}`);
    return v;
  };
  const logScale = get('entropy_bottleneck/knots/log_scale');
  const [knots, channels] = logScale.shape as [number, number];
  logScale.assign(tf.tensor2d(Float32Array.from({ length: knots * channels }, (_, i) => -3 + (3 * Math.floor(i / channels)) / (knots - 1)), [knots, channels]));
  const hiddenKernel = get('conditioning/hidden/kernel');
  const hiddenBias = get('conditioning/hidden/bias');
  const hidden = hiddenKernel.shape[1] as number;
  hiddenKernel.assign(tf.tensor2d(Float32Array.from({ length: hidden }, (_, j) => (j === 0 ? 1 : 0)), [1, hidden]));
  hiddenBias.assign(tf.tensor1d(Float32Array.from({ length: hidden }, (_, j) => (j === 0 ? 10 : 0))));
  for (const [name, v] of byName) {
    if (!name.startsWith('conditioning/') || name.startsWith('conditioning/hidden')) continue;
    const isScale = name.startsWith('conditioning/g_a3/scale/');
    if (name.endsWith('/kernel')) {
      const [rows, cols] = v.shape as [number, number];
      v.assign(tf.tensor2d(Float32Array.from({ length: rows * cols }, (_, i) => (isScale && Math.floor(i / cols) === 0 ? 2 : 0)), [rows, cols]));
    } else v.assign(tf.fill(v.shape, isScale ? -7 : 0));
  }
}
