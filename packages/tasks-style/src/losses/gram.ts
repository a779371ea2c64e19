import * as tf from '@tensorflow/tfjs';

/**
 * Gram matrices of feature maps, one per example: G[b] = Fᵀ F / (H·W) with F the [H·W, C] matrix of
 * example b. Dividing by the number of positions (not by C) keeps G independent of the image size,
 * so a style image and the training crops may differ in resolution.
 */
export function gram(features: tf.Tensor4D): tf.Tensor3D {
  const [b, h, w, c] = features.shape;
  return tf.tidy(() => {
    const f = tf.reshape(features, [b, h * w, c]) as tf.Tensor3D;
    return tf.div(tf.matMul(f, f, true, false), h * w) as tf.Tensor3D;
  });
}

/**
 * The softmax transformation of Wang et al. ("Rethinking and Improving the Robustness of Image Style
 * Transfer", CVPR 2021): each channel's activations are replaced by a softmax over the spatial
 * positions, softmax(F/T), which smooths the peaky, low-entropy activations of non-VGG networks
 * before their Gram matrices are taken. The result is multiplied by H·W so that its mean is 1 at any
 * resolution (the Gram scale then does not depend on the image size either).
 */
export function softmaxFeatures(features: tf.Tensor4D, temperature = 1): tf.Tensor4D {
  if (!(temperature > 0)) throw new Error(`softmaxFeatures: temperature must be > 0, got ${temperature}`);
  const [, h, w] = features.shape;
  return tf.tidy(() => {
    const z = tf.div(features, temperature);
    // Stable softmax over axes 1 and 2 (height, width), per example and channel.
    const e = tf.exp(tf.sub(z, tf.max(z, [1, 2], true)));
    return tf.mul(tf.div(e, tf.sum(e, [1, 2], true)), h * w) as tf.Tensor4D;
  });
}
