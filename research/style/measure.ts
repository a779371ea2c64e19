// Shared by the style research scripts: a style model's outputs at λ and how far two sets of outputs are apart.
import * as tf from '@tensorflow/tfjs';
import type { StyleModel } from '@yoto/tasks-style';

/** The model's outputs for `photos` at λ (a baseline ignores λ), as pixels in [0, 1]. */
export function outputsAt(model: StyleModel, photos: tf.Tensor4D, lambda: readonly number[]): Float32Array {
  const cond = model.conditioned ? model.space.condition(lambda, photos.shape[0]) : null;
  const y = tf.tidy(() => model.stylize(photos, model.norms(cond)));
  const v = y.dataSync() as Float32Array;
  tf.dispose([y, cond].filter((x) => x !== null));
  return v;
}

/** Mean absolute difference of two images (or sets of them) in [0, 1], in grey levels (0–255). */
export function greyLevels(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`greyLevels: ${a.length} vs ${b.length} values`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return (255 * s) / a.length;
}
