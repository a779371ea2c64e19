import * as tf from '@tensorflow/tfjs';

/**
 * A fixed colour whitening around the main transforms (config colourTransform 'whitened'): the
 * analysis sees each pixel as s = D^(−½)·Vᵀ·(x − μ) and the synthesis' output is mapped back by
 * x̂ = V·D^(½)·ŝ + μ, where μ, V, D are the mean, the eigenvectors and the eigenvalues of the RGB
 * covariance of the BSDS500 training pixels (research/colour-statistics.ts). The model's function
 * class is unchanged (the first convolution and the last one could absorb both maps); what changes
 * is how fast gradient descent finds it.
 *
 * Why: on raw RGB in [0, 1] the pixels' second moment has eigenvalues 0.67 (the mean, uncentred),
 * 0.018 (blue–yellow) and 0.0032 (green–magenta), a condition number of ~200, which slows gradient
 * descent on the first and last layers (LeCun et al., "Efficient BackProp": centre and decorrelate
 * the inputs). Whitened, every colour direction has unit variance, and the synthesis starts at the
 * mean colour instead of black. Measured on the reduced run (docs/compression-recipe.md): −10.5% loss
 * for a baseline at λ = 0.018. It does not, by itself, make a 1,000-step model code the
 * green–magenta axis, which such models leave out entirely (the colour cast of short runs).
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

/** The 3×3 matrices of both maps as 1×1 convolution kernels, [1, 1, 3, 3] (in channel, out channel). */
function kernels(): { forward: number[]; inverse: number[] } {
  const forward: number[] = [];
  const inverse: number[] = [];
  for (let i = 0; i < 3; i++)
    for (let k = 0; k < 3; k++) {
      // s_k = Σ_i x_i · V[i][k] / √d_k;  x_i = Σ_k s_k · V[i][k] · √d_k (kernel rows: input channel).
      forward.push(COLOUR_BASIS[i][k] / Math.sqrt(COLOUR_VARIANCES[k]));
    }
  for (let k = 0; k < 3; k++) for (let i = 0; i < 3; i++) inverse.push(COLOUR_BASIS[i][k] * Math.sqrt(COLOUR_VARIANCES[k]));
  return { forward, inverse };
}

/** x (pixels in [0, 1], [B, H, W, 3]) → whitened colour components s. */
export function whitenColour(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.conv2d(tf.sub(x, COLOUR_MEAN as number[]) as tf.Tensor4D, tf.tensor4d(kernels().forward, [1, 1, 3, 3]), 1, 'valid'));
}

/** Whitened components ŝ → pixels x̂ (the inverse of whitenColour). */
export function unwhitenColour(s: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.add(tf.conv2d(s, tf.tensor4d(kernels().inverse, [1, 1, 3, 3]), 1, 'valid'), COLOUR_MEAN as number[]) as tf.Tensor4D);
}
