import * as tf from '@tensorflow/tfjs';
import type { Layer, Params } from '@yoto/core';
import { NonNegative } from './bounds.js';

/**
 * Generalized divisive normalization (Ballé, Laparra, Simoncelli 2016):
 *   y_i = x_i / √(β_i + Σ_j γ_ij x_j²)        (GDN, analysis side)
 *   y_i = x_i · √(β_i + Σ_j γ_ij x_j²)        (inverse GDN, synthesis side)
 * β and γ are kept non-negative by the squared reparameterization with lower bounds (β ≥ betaMin
 * keeps the denominator away from 0). The sum over j is a 1×1 convolution of x² with kernel γᵀ;
 * it is computed as the matrix product it is, [pixels, C] × [C, C], which every backend runs fast
 * in both directions (a 1×1 conv would go through the slow filter-gradient kernel on cpu).
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
  gamma.assign(tf.tidy(() => tf.add(tf.mul(tf.eye(channels), g0 - g), g)));
  return (x) =>
    tf.tidy(() => {
      const [b, h, w, c] = x.shape;
      if (c !== channels) throw new Error(`${name}: expected ${channels} channels, got ${c}`);
      const flat = tf.reshape(tf.square(x), [b * h * w, c]) as tf.Tensor2D;
      // norm[:, i] = Σ_j x_j² γ_ij  → x² · γᵀ
      const g2 = gammaParam.apply(gamma) as tf.Tensor2D;
      const norm = tf.add(tf.matMul(flat, g2, false, true), betaParam.apply(beta));
      const factor = tf.reshape(inverse ? tf.sqrt(norm) : tf.rsqrt(norm), [b, h, w, c]);
      return tf.mul(x, factor) as tf.Tensor4D;
    });
}
