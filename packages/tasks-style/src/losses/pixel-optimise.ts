import * as tf from '@tensorflow/tfjs';
import { STYLE_TERMS, type StyleTerm } from '../space.js';
import type { StyleLoss } from './style-loss.js';

export interface PixelOptimiseOptions {
  /** Adam steps (default 150). */
  steps?: number;
  /** Adam learning rate on the pixels' logits (default 0.05). */
  learningRate?: number;
}

/**
 * What a style loss asks for, with no network in between (Gatys et al.): the pixels of `photo`
 * ([n, h, w, 3] in [0, 1]) optimised directly under the loss at λ, starting from the photo. The
 * pixels are kept in [0, 1] through a sigmoid. Used to compare loss choices (network, softmax)
 * before training on one. Returns the images and the weighted loss at the last step.
 */
export function optimisePixels(loss: StyleLoss, photo: tf.Tensor4D, lambda: Readonly<Record<StyleTerm, number>>, o: PixelOptimiseOptions = {}): { images: tf.Tensor4D; loss: number } {
  const steps = o.steps ?? 150;
  if (!Number.isInteger(steps) || steps < 0) throw new Error(`optimisePixels: steps must be an integer ≥ 0, got ${steps}`);
  const logit = tf.variable(
    tf.tidy(() => {
      const p = tf.clipByValue(photo, 0.02, 0.98);
      return tf.log(tf.div(p, tf.sub(1, p)));
    }),
  );
  const opt = tf.train.adam(o.learningRate ?? 0.05);
  let last = Number.NaN;
  try {
    for (let i = 0; i < steps; i++) {
      const v = opt.minimize(() => {
        const t = loss.terms(tf.sigmoid(logit) as tf.Tensor4D, photo);
        return tf.addN(STYLE_TERMS.map((k) => tf.mul(tf.mean(t[k]), lambda[k]))) as tf.Scalar;
      }, true)!;
      last = v.dataSync()[0];
      v.dispose();
    }
    return { images: tf.tidy(() => tf.sigmoid(logit) as tf.Tensor4D), loss: last };
  } finally {
    logit.dispose();
    opt.dispose();
  }
}
