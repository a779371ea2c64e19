import * as tf from '@tensorflow/tfjs';

/**
 * A fixed colour whitening of the analysis' input (config colourTransform 'whitened'): it sees each
 * pixel as s = D^(−½)·Vᵀ·(x − μ), where μ, V, D are the mean, the eigenvectors and the eigenvalues of
 * the RGB covariance of the BSDS500 training pixels (research/colour-statistics.ts), and the
 * synthesis' output is centred on μ (x̂ = g_s(ŷ) + μ). The model's function class is unchanged (the
 * first convolution and the last bias could absorb both maps); what changes is what gradient
 * descent finds within a short run.
 *
 * Why: raw RGB in [0, 1] is uncentred and strongly correlated: its second moment has eigenvalues
 * 0.67 (mostly the mean), 0.018 (blue–yellow) and 0.0032 (green–magenta). The analysis learned the
 * green–magenta direction last: models left it out entirely for their first ~1,000–2,000 steps (its
 * mean-colour gain 0.00), which was the colour cast of short runs (reds orange, greens grey).
 * Whitened, every colour direction has unit variance from the first step (gain 0.93 at 1,000 steps,
 * cast within 2 levels). The output stays RGB: whitening it too (x̂ = V·D^(½)·ŝ + μ) scales the
 * synthesis' green–magenta output by √0.0032 and kept that axis off even at 2,000 steps
 * (docs/compression-recipe.md §4).
 */

/** Mean RGB of the BSDS500 train + test pixels (400 images, 61.8 M pixels) in [0, 1]. */
export const COLOUR_MEAN: readonly number[] = [0.434598, 0.437713, 0.363895];

/** Eigenvalues of their RGB covariance, ascending (green–magenta, blue–yellow, brightness). */
export const COLOUR_VARIANCES: readonly number[] = [0.00306434, 0.01794994, 0.15747428];

/** The matching unit eigenvectors as columns, rows R, G, B. */
export const COLOUR_BASIS: readonly (readonly number[])[] = [
  [0.44779591, -0.67409461, -0.58743109],
  [-0.81292615, -0.03335782, -0.58141063],
  [0.37233036, 0.7378914, -0.56292663],
];

/** The whitening matrix as a 1×1 convolution kernel [1, 1, 3, 3] (in channel, out channel): s_k = Σ_i (x_i − μ_i)·V[i][k] / √d_k. */
const WHITENING: number[] = [0, 1, 2].flatMap((i) => [0, 1, 2].map((k) => COLOUR_BASIS[i][k] / Math.sqrt(COLOUR_VARIANCES[k])));

/**
 * The two fixed maps as tensors, built once per model (owned by its MainTransforms, disposed with it):
 * building the kernel and the mean inside every forward pass uploaded them again on every training
 * step and every coded image.
 */
export class ColourWhitening {
  private readonly mean: tf.Tensor1D;
  private readonly kernel: tf.Tensor4D;

  constructor() {
    // Kept: a model may be built inside a caller's tf.tidy, which must not take these with it.
    this.mean = tf.keep(tf.tensor1d(COLOUR_MEAN as number[]));
    this.kernel = tf.keep(tf.tensor4d(WHITENING, [1, 1, 3, 3]));
  }

  /** x (pixels in [0, 1], [B, H, W, 3]) → whitened colour components s. */
  whiten(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => tf.conv2d(tf.sub(x, this.mean) as tf.Tensor4D, this.kernel, 1, 'valid'));
  }

  /** The synthesis' output centred on the training pixels' mean colour: x̂ = h + μ. */
  centre(h: tf.Tensor4D): tf.Tensor4D {
    return tf.add(h, this.mean) as tf.Tensor4D;
  }

  dispose(): void {
    tf.dispose([this.mean, this.kernel]);
  }
}
