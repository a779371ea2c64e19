import * as tf from '@tensorflow/tfjs';

/** Per-example feature reconstruction (content) distance: mean over positions and channels of (a − b)², [batch]. */
export function featureDistance(a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor1D {
  return tf.tidy(() => tf.mean(tf.squaredDifference(a, b), [1, 2, 3]) as tf.Tensor1D);
}

/**
 * Per-example Gram distance: mean over the C×C entries of (G − S)², [batch]. `target` is one Gram
 * ([1, C, C], the style image's) broadcast over the batch, or one per example.
 */
export function gramDistance(grams: tf.Tensor3D, target: tf.Tensor3D): tf.Tensor1D {
  return tf.tidy(() => tf.mean(tf.squaredDifference(grams, target), [1, 2]) as tf.Tensor1D);
}
