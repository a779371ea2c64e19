import * as tf from '@tensorflow/tfjs';
import type { Params } from '@yoto/core';
import { CONDITIONING_SCOPE } from './scopes.js';

/**
 * The λ-dependent quantization step of the latents (config quantizationStep 'lambda'): a conditioned
 * model rounds y/Δ(λ) and decodes ŷ·Δ(λ), with a learned step per latent channel whose log is
 * linear in λ's range position u ∈ [−1, 1]. It is initialised at Δ ∝ λ^(−½), the high-rate optimum
 * of λ·D + R when D ≈ Δ²/12: log Δ = ±¼·ln(high/low) at the ends, 0 (Δ = 1) at the geometric middle.
 */
export class LambdaStep {
  private readonly low: tf.Variable;
  private readonly high: tf.Variable;

  constructor(
    p: Params,
    readonly channels: number,
    lambdaRange: readonly [number, number],
  ) {
    const quarter = Math.log(lambdaRange[1] / lambdaRange[0]) / 4;
    this.low = p.variable(`${CONDITIONING_SCOPE}log_step/low`, [channels], { kind: 'constant', value: quarter });
    this.high = p.variable(`${CONDITIONING_SCOPE}log_step/high`, [channels], { kind: 'constant', value: -quarter });
  }

  /** Δ per example and channel, [B, 1, 1, channels], from range positions u [B, 1]. */
  steps(u: tf.Tensor2D): tf.Tensor4D {
    return tf.tidy(() => {
      const mid = tf.div(tf.add(this.low, this.high), 2);
      const half = tf.div(tf.sub(this.high, this.low), 2);
      return tf.reshape(tf.exp(tf.add(mid, tf.mul(u, half))), [-1, 1, 1, this.channels]) as tf.Tensor4D;
    });
  }
}
