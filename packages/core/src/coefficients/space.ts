import type { Rng } from '../random/rng.js';

/**
 * Which loss terms carry a coefficient, how λ is distributed during YOTO training, and how it is
 * encoded for the conditioning network. Full implementations live beside this file.
 *
 * λ vectors always cover every term of the task, in the task's term order; terms whose coefficient
 * never varies are fixed (usually at 1) and are not part of the encoding.
 */
export interface CoefficientSpace {
  readonly terms: readonly string[];
  /** Terms whose coefficient varies; one encoding column each, in this order. */
  readonly conditionedTerms: readonly string[];
  readonly encodedDim: number;
  /** n λ vectors, row-major [n, terms.length]. */
  sample(n: number, rng: Rng): Float32Array;
  /** Encodes n λ vectors (row-major [n, terms.length]) to [n, encodedDim] (log by default). */
  encode(lambdas: Float32Array, n: number): Float32Array;
  /** A JSON description, stored with runs and checkpoints, from which the space can be rebuilt. */
  toJSON(): unknown;
}
