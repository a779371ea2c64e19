import * as tf from '@tensorflow/tfjs';

/** Sum over every axis but the first: per-example totals. */
function perExample(t: tf.Tensor): tf.Tensor1D {
  const axes = Array.from({ length: t.rank - 1 }, (_, i) => i + 1);
  return (axes.length ? tf.sum(t, axes) : t) as tf.Tensor1D;
}

/**
 * −log p(x | logits) of a Bernoulli per pixel, summed per example (nats). Written in the stable
 * form max(l, 0) − l·x + log(1 + e^−|l|); targets may be gray values in [0, 1].
 */
export function bernoulliNll(logits: tf.Tensor, x: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => perExample(tf.add(tf.sub(tf.relu(logits), tf.mul(logits, x)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))))));
}

/** −log N(x | mean, σ²) per pixel with a fixed σ, summed per example (nats). */
export function gaussianNll(mean: tf.Tensor, x: tf.Tensor, sigma: number): tf.Tensor1D {
  return tf.tidy(() => {
    const n = mean.size / mean.shape[0];
    const sq = perExample(tf.square(tf.sub(x, mean)));
    return tf.add(tf.mul(sq, 0.5 / (sigma * sigma)), 0.5 * n * Math.log(2 * Math.PI * sigma * sigma)) as tf.Tensor1D;
  });
}

/** KL(N(mean, e^logvar) ‖ N(0, I)) per example, summed over latent dimensions (nats). */
export function klStandardNormal(mean: tf.Tensor2D, logvar: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.mul(tf.sum(tf.sub(tf.add(tf.square(mean), tf.exp(logvar)), tf.add(logvar, 1)), 1), 0.5) as tf.Tensor1D);
}

/** z = mean + e^(logvar/2)·ε with the caller's noise ε, so the sample is reproducible. */
export function reparameterize(mean: tf.Tensor2D, logvar: tf.Tensor2D, noise: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.add(mean, tf.mul(tf.exp(tf.mul(logvar, 0.5)), noise)) as tf.Tensor2D);
}
