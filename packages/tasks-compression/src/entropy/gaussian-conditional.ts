import * as tf from '@tensorflow/tfjs';
import { cumulative, quantizeFrequencies } from '../coder/quantize.js';
import type { CodingTable } from '../coder/symbols.js';
import { lowerBound } from '../layers/bounds.js';
import { normalCdf, normalQuantile } from './normal.js';

/**
 * Gaussian conditional entropy model (Ballé et al. 2018, "Variational image compression with a
 * scale hyperprior"), in CompressAI's layout: each latent value ŷ is coded under a zero-mean
 * Gaussian of its own scale σ (predicted by the hyper-synthesis), convolved with U(−½, ½):
 *
 *   p(ŷ | σ) = Φ((ŷ + ½)/σ) − Φ((ŷ − ½)/σ).
 *
 * For coding, σ is mapped to one of SCALE_TABLE's 64 log-spaced scales (the smallest table scale
 * ≥ σ, CompressAI's `build_indexes`), and each table scale has one fixed frequency table. The tables
 * depend on nothing but these constants, so they are built once per process, in float64 (normal.ts),
 * and are identical in every encoder and decoder; only the per-symbol index comes from the model.
 */

/** Scales are bounded below by this (σ → 0 would make the rate's gradient explode). */
export const SCALE_BOUND = 0.11;
/** Likelihoods are bounded below by this in training, as in the factorized entropy model. */
export const LIKELIHOOD_BOUND = 1e-9;
/** Probability mass left outside each table's support (coded through the escape). */
export const TAIL_MASS = 1e-9;

/** CompressAI's scale table: 64 scales log-spaced from 0.11 to 256. */
export const SCALE_TABLE: Float64Array = (() => {
  const levels = 64;
  const lo = Math.log(SCALE_BOUND);
  const hi = Math.log(256);
  return Float64Array.from({ length: levels }, (_, i) => Math.exp(lo + ((hi - lo) * i) / (levels - 1)));
})();

/**
 * Table index of each scale: the smallest i with SCALE_TABLE[i] ≥ max(σ, SCALE_BOUND), and the
 * last table above the largest scale. Computed in JavaScript from the float32 scales, so the encoder
 * and the decoder (which see the same float32 scales) pick the same table. A NaN scale is refused:
 * it would only come from broken weights, and coding it would silently pick the widest table.
 */
export function scaleIndexes(scales: ArrayLike<number>, table: Float64Array = SCALE_TABLE): Uint8Array {
  if (table.length > 256) throw new Error(`scale table: at most 256 scales, got ${table.length}`);
  const out = new Uint8Array(scales.length);
  const last = table.length - 1;
  for (let i = 0; i < scales.length; i++) {
    const s = scales[i];
    if (Number.isNaN(s)) throw new Error(`scale at position ${i} is NaN; the model's weights are broken (diverged training?)`);
    // Binary search for the first table entry ≥ s.
    let lo = 0;
    let hi = last;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (table[mid] >= s) hi = mid;
      else lo = mid + 1;
    }
    out[i] = lo;
  }
  return out;
}

/** The symbols a table codes directly: q ∈ [−c, c] with c = ⌈σ·z⌉, z = −Φ⁻¹(tailMass/2). */
export function tableHalfWidth(scale: number, tailMass = TAIL_MASS): number {
  return Math.ceil(scale * -normalQuantile(tailMass / 2));
}

/**
 * One coding table per table scale: for σ, the symbols q ∈ [−c, c] with probabilities
 * Φ((½ − |q|)/σ) − Φ((−½ − |q|)/σ) (evaluated on the lower tail, where Φ keeps its relative
 * precision), then the escape symbol carrying both tails, 2·Φ((−½ − c)/σ).
 */
export function gaussianTables(table: Float64Array = SCALE_TABLE, tailMass = TAIL_MASS): CodingTable[] {
  return Array.from(table, (scale) => {
    const c = tableHalfWidth(scale, tailMass);
    const pmf = new Float64Array(2 * c + 2);
    for (let q = -c; q <= c; q++) {
      const v = Math.abs(q);
      pmf[q + c] = normalCdf((0.5 - v) / scale) - normalCdf((-0.5 - v) / scale);
    }
    pmf[2 * c + 1] = 2 * normalCdf((-0.5 - c) / scale);
    return { cdf: cumulative(quantizeFrequencies(pmf)), offset: -c };
  });
}

let defaultTables: CodingTable[] | null = null;

/** The tables of SCALE_TABLE, built on first use and shared (they are constants). */
export function defaultGaussianTables(): CodingTable[] {
  defaultTables ??= gaussianTables();
  return defaultTables;
}

/**
 * Φ(x) for x ≤ ½/σ_min in tfjs, through erfc's Chebyshev fit (Numerical Recipes' erfcc, relative
 * error < 1.2e−7 everywhere): float32 `1 + erf(x)` would cancel to 0 in the lower tail, which is
 * where the likelihood below evaluates Φ. tfjs differentiates it like any composition of ops.
 */
function standardizedCumulative(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const z = tf.abs(tf.mul(x, Math.SQRT1_2));
    const t = tf.div(1, tf.add(1, tf.mul(z, 0.5)));
    const coefficients = [0.17087277, -0.82215223, 1.48851587, -1.13520398, 0.27886807, -0.18628806, 0.09678418, 0.37409196, 1.00002368, -1.26551223];
    let poly: tf.Tensor = tf.scalar(coefficients[0]);
    for (const c of coefficients.slice(1)) poly = tf.add(tf.mul(poly, t), c);
    const tail = tf.mul(t, tf.exp(tf.sub(poly, tf.square(z)))); // erfc(|x|/√2)
    // Φ(x) = ½·erfc(−x/√2): half the tail for x ≤ 0, its complement for x > 0 (both ½ at 0).
    // step() rather than where(less()): tfjs has no gradient for a comparison on the tape.
    const above = tf.step(x);
    return tf.add(above, tf.mul(tf.sub(1, tf.mul(above, 2)), tf.mul(tail, 0.5)));
  });
}

/**
 * Likelihood of each value (noisy in training, rounded otherwise) under the zero-mean Gaussian of its
 * scale convolved with U(−½, ½), scales bounded below by SCALE_BOUND and likelihoods by
 * LIKELIHOOD_BOUND. Both edges are evaluated at −|y|, on the lower tail.
 */
export function gaussianLikelihood(values: tf.Tensor4D, scales: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const s = lowerBound(scales, SCALE_BOUND);
    const v = tf.abs(values);
    const upper = standardizedCumulative(tf.div(tf.sub(0.5, v), s));
    const lower = standardizedCumulative(tf.div(tf.sub(-0.5, v), s));
    return lowerBound(tf.sub(upper, lower), LIKELIHOOD_BOUND) as tf.Tensor4D;
  });
}
