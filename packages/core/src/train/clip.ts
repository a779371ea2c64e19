import * as tf from '@tensorflow/tfjs';

/** √(Σ‖g‖²) over all gradients, on the device (no sync). */
export function globalNorm(grads: readonly tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g))))) as tf.Scalar);
}

/**
 * Rescales all gradients together so their global norm is at most `maxNorm` (unchanged when it already
 * is). `norm` is their global norm before clipping; passing it avoids recomputing it.
 */
export function clipByGlobalNorm(grads: readonly tf.Tensor[], maxNorm: number, norm?: tf.Scalar): tf.Tensor[] {
  if (!(maxNorm > 0) || !Number.isFinite(maxNorm)) throw new Error(`clipByGlobalNorm: maxNorm must be a finite number > 0, got ${maxNorm}`);
  return tf.tidy(() => {
    const n = norm ?? globalNorm(grads);
    const factor = tf.div(maxNorm, tf.maximum(n, maxNorm));
    return grads.map((g) => tf.mul(g, factor));
  });
}
