import * as tf from '@tensorflow/tfjs';

/** Per-example, per-channel modulation: y = x·scale + shift. */
export interface FilmParams {
  /** [batch, channels] (batch may be 1 to share one modulation over the whole batch). */
  scale: tf.Tensor2D;
  shift: tf.Tensor2D;
}

/**
 * Feature-wise linear modulation. x is [b, c] or [b, ..., c] (e.g. [b, h, w, c]); the scale and
 * shift of each example are broadcast over every position.
 */
export function film(x: tf.Tensor, p: FilmParams): tf.Tensor {
  return tf.tidy(() => {
    const [scale, shift] = broadcastable(x, p, 'film');
    return tf.add(tf.mul(x, scale), shift);
  });
}

/** Checks shapes (host side, no sync) and reshapes [b, c] to [b, 1, ..., 1, c] to match x. */
export function broadcastable(x: tf.Tensor, p: FilmParams, op: string): [tf.Tensor, tf.Tensor] {
  if (x.rank < 2) throw new Error(`${op}: x must be [batch, ..., channels], got shape [${x.shape.join(', ')}]`);
  const b = x.shape[0];
  const c = x.shape[x.rank - 1];
  for (const [name, t] of [['scale', p.scale], ['shift', p.shift]] as const) {
    if (t.rank !== 2 || t.shape[1] !== c || (t.shape[0] !== b && t.shape[0] !== 1))
      throw new Error(`${op}: ${name} must be [${b} or 1, ${c}] to match x [${x.shape.join(', ')}], got [${t.shape.join(', ')}]`);
  }
  if (x.rank === 2) return [p.scale, p.shift];
  const shape = [-1, ...Array<number>(x.rank - 2).fill(1), c];
  return [tf.reshape(p.scale, shape), tf.reshape(p.shift, shape)];
}
