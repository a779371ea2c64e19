import { codingModel, type DensityWeights } from './density.js';

/**
 * The quantization offsets (medians) of a factorized density at each example's knot position,
 * [B × channels] row-major: what a rounded forward pass with one λ per example needs. Positions that
 * repeat (a batch at one λ) are computed once.
 */
export function mediansAt(weights: DensityWeights, positions: readonly number[]): Float32Array {
  const C = weights.channels;
  const out = new Float32Array(positions.length * C);
  const cache = new Map<number, Float32Array>();
  positions.forEach((t, i) => {
    let m = cache.get(t);
    if (!m) {
      m = codingModel(weights, t).medians;
      cache.set(t, m);
    }
    out.set(m, i * C);
  });
  return out;
}
