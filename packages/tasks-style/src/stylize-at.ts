import * as tf from '@tensorflow/tfjs';
import type { StyleModel } from './model/transformer.js';

/**
 * The model's output at λ (the five weights in the task's term order) for x ∈ [0, 1]^[b, h, w, 3]:
 * the space the model was built for turns λ into its condition; a baseline ignores λ (it has its
 * own). Used by `exp stylize` and the explorer page alike.
 */
export function stylizeAt(model: StyleModel, x: tf.Tensor4D, lambda: readonly number[]): tf.Tensor4D {
  const cond = model.conditioned ? model.space.condition(lambda, x.shape[0]) : null;
  try {
    return tf.tidy(() => model.stylize(x, model.norms(cond)));
  } finally {
    cond?.dispose();
  }
}
