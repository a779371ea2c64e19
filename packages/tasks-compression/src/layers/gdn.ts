import * as tf from '@tensorflow/tfjs';
import type { Layer, Params } from '@yoto/core';
import { NonNegative } from './bounds.js';

/**
 * Generalized divisive normalization (Ballé, Laparra, Simoncelli 2016):
 *   y_i = x_i / √(β_i + Σ_j γ_ij x_j²)        (GDN, analysis side)
 *   y_i = x_i · √(β_i + Σ_j γ_ij x_j²)        (inverse GDN, synthesis side)
 * β and γ are kept non-negative by the squared reparameterization with lower bounds (β ≥ betaMin
 * keeps the denominator away from 0). The sum over j is a 1×1 convolution of x² with kernel γᵀ.
 * Measured on wasm (batch 8, benchmark shape), the convolution trains faster than the equivalent
 * [pixels, C]·[C, C] product, whose transposed-operand gradients take tfjs's slow path.
 */
export interface GdnOptions {
  inverse?: boolean;
  betaMin?: number;
  /** Initial γ = gammaInit · I (no cross-channel interaction at start). */
  gammaInit?: number;
  reparamOffset?: number;
}

export function gdn(p: Params, name: string, channels: number, o: GdnOptions = {}): Layer<tf.Tensor4D, tf.Tensor4D> {
  const inverse = o.inverse ?? false;
  const betaParam = new NonNegative(o.betaMin ?? 1e-6, o.reparamOffset);
  const gammaParam = new NonNegative(0, o.reparamOffset);
  const beta = p.variable(`${name}/beta`, [channels], { kind: 'constant', value: betaParam.init(1) });
  const gamma = p.variable(`${name}/gamma`, [channels, channels], { kind: 'constant', value: gammaParam.init(0) });
  const g0 = gammaParam.init(o.gammaInit ?? 0.1);
  const g = gammaParam.init(0);
  // Assigned inside the tidy: the variable takes the value's data, and the tidy frees the tensor itself
  // (assigned outside it, the returned tensor stayed allocated for as long as the process: one per layer).
  tf.tidy(() => gamma.assign(tf.add(tf.mul(tf.eye(channels), g0 - g), g)));
  return (x) =>
    tf.tidy(() => {
      const c = x.shape[3];
      if (c !== channels) throw new Error(`${name}: expected ${channels} channels, got ${c}`);
      // norm[:, i] = β_i + Σ_j γ_ij x_j²: a 1×1 convolution of x² with kernel γᵀ.
      const g2 = gammaParam.apply(gamma) as tf.Tensor2D;
      const kernel = tf.reshape(tf.transpose(g2), [1, 1, c, c]) as tf.Tensor4D;
      const norm = tf.add(tf.conv2d(tf.square(x) as tf.Tensor4D, kernel, 1, 'valid'), betaParam.apply(beta));
      const factor = inverse ? tf.sqrt(norm) : tf.rsqrt(norm);
      return tf.mul(x, factor) as tf.Tensor4D;
    });
}

