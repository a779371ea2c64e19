import * as tf from '@tensorflow/tfjs';
import type { FilmParams } from '@yoto/core';

/**
 * The latents of a training batch laid side by side as one picture, for the hyper transforms only.
 *
 * Why: on the small crops the CPU budget trains on (64 px), y is 4×4 and z = h_a(|y|) is 1×1 per
 * crop. h_a's last convolution (5×5, stride 2) then reads only its taps 1–2 of 0–4 in each direction,
 * and h_s's first transposed one writes only through them: 84% of the taps of both layers never get
 * a gradient and keep their random initial values, which every larger image then reads (there, z has
 * neighbours). The scale hyperprior trained that way predicted σ that cost 1.9× the factorized
 * prior's rate on Kodak, but no more than it on 64-px tiles of the same pictures
 * (research/crop-size-gap.ts). A mosaic of the batch's latents (8 crops → 2 × 4 blocks, z 2 × 4)
 * gives those layers neighbours, so every tap trains, at the same cost per step; the main
 * transforms still see each crop alone.
 */

/** Rows × columns of the mosaic of `n` blocks: the most nearly square factorization, rows ≤ columns. */
export function mosaicGrid(n: number): [number, number] {
  let rows = Math.floor(Math.sqrt(n));
  while (n % rows !== 0) rows--;
  return [rows, n / rows];
}

/** [rows·cols, h, w, C] → [1, rows·h, cols·w, C]: block k at row ⌊k / cols⌋, column k mod cols. */
export function toMosaic(x: tf.Tensor4D, rows: number, cols: number): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  if (b !== rows * cols) throw new Error(`mosaic: ${b} blocks do not fill ${rows} × ${cols}`);
  return tf.tidy(() => tf.reshape(tf.transpose(tf.reshape(x, [rows, cols, h, w, c]), [0, 2, 1, 3, 4]), [1, rows * h, cols * w, c]) as tf.Tensor4D);
}

/** The inverse of toMosaic: [1, rows·h, cols·w, C] → [rows·cols, h, w, C]. */
export function fromMosaic(x: tf.Tensor4D, rows: number, cols: number): tf.Tensor4D {
  const [, H, W, c] = x.shape;
  if (H % rows !== 0 || W % cols !== 0) throw new Error(`mosaic: a ${H} × ${W} picture does not split into ${rows} × ${cols} blocks`);
  const h = H / rows;
  const w = W / cols;
  return tf.tidy(() => tf.reshape(tf.transpose(tf.reshape(x, [rows, h, cols, w, c]), [0, 2, 1, 3, 4]), [rows * cols, h, w, c]) as tf.Tensor4D);
}

/**
 * FiLM of a mosaic: each block modulated by its own example's scale and shift ([B, C] each, or
 * [1, C] shared), x [1, rows·h, cols·w, C].
 */
export function filmMosaic(x: tf.Tensor4D, p: FilmParams, rows: number, cols: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [, H, W, c] = x.shape;
    const map = (t: tf.Tensor2D): tf.Tensor4D => {
      const perBlock = t.shape[0] === 1 ? tf.tile(t, [rows * cols, 1]) : t;
      return toMosaic(tf.tile(tf.reshape(perBlock, [rows * cols, 1, 1, c]), [1, H / rows, W / cols, 1]) as tf.Tensor4D, rows, cols);
    };
    return tf.add(tf.mul(x, map(p.scale)), map(p.shift)) as tf.Tensor4D;
  });
}
