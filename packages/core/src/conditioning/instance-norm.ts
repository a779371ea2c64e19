import * as tf from '@tensorflow/tfjs';
import { broadcastable, type FilmParams } from './film.js';

/**
 * Conditional instance normalisation (Dumoulin et al.; Babaeizadeh & Ghiasi): each example's
 * channels are normalised over height and width, then modulated by that example's own scale and
 * shift, with the same FilmParams semantics as `film` (scale ≈ 1, shift ≈ 0 at initialisation).
 */
export function conditionalInstanceNorm(x: tf.Tensor4D, p: FilmParams, epsilon = 1e-5): tf.Tensor4D {
  if (x.rank !== 4) throw new Error(`conditionalInstanceNorm: x must be [batch, height, width, channels], got [${x.shape.join(', ')}]`);
  if (!(epsilon > 0)) throw new Error(`conditionalInstanceNorm: epsilon must be > 0, got ${epsilon}`);
  return tf.tidy(() => {
    const [scale, shift] = broadcastable(x, p, 'conditionalInstanceNorm');
    const { mean, variance } = tf.moments(x, [1, 2], true);
    const normalized = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon)));
    return tf.add(tf.mul(normalized, scale), shift) as tf.Tensor4D;
  });
}
