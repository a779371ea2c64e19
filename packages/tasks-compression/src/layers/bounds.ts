import * as tf from '@tensorflow/tfjs';

/**
 * max(x, bound) whose gradient still flows where x is below the bound if the update would push x
 * up (dy < 0 under gradient descent). A plain max would freeze a parameter that once fell below its
 * bound; this is the lower-bound operator of Ballé's GDN and entropy-model code.
 */
export function lowerBound(x: tf.Tensor, bound: number): tf.Tensor {
  const op = tf.customGrad(((input: tf.Tensor, save: tf.GradSaveFunc) => {
    save([input]);
    return {
      value: tf.maximum(input, bound),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const pass = tf.logicalOr(tf.greaterEqual(saved[0], bound), tf.less(dy, 0));
        return tf.mul(dy, tf.cast(pass, dy.dtype));
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x);
}

/**
 * Non-negative parameters stored as v with value max(v, √(min + pedestal))² − pedestal. Squaring
 * makes the effective step size shrink near zero (where GDN's β and γ live), and the small pedestal
 * keeps the gradient of the square root finite at zero.
 */
export class NonNegative {
  readonly pedestal: number;
  readonly bound: number;

  constructor(
    readonly minimum = 0,
    reparamOffset = 2 ** -18,
  ) {
    this.pedestal = reparamOffset * reparamOffset;
    this.bound = Math.sqrt(minimum + this.pedestal);
  }

  /** Stored value for a desired effective value. */
  init(value: number): number {
    return Math.sqrt(Math.max(value + this.pedestal, this.pedestal));
  }

  /** Effective value of a stored tensor. */
  apply(v: tf.Tensor): tf.Tensor {
    return tf.sub(tf.square(lowerBound(v, this.bound)), this.pedestal);
  }
}
