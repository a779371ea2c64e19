import type * as tf from '@tensorflow/tfjs';
import type { Rng } from '../random/rng.js';
import type { TermSupport } from './distribution.js';
import type { Encoding } from './spec.js';

export interface SampleOptions {
  /**
   * Draw the n vectors as a batch that covers each varying term's distribution evenly: its range cut
   * into n strata of equal probability, one value from each, the strata in a random order. Every row's
   * marginal is the distribution's own (the order is a uniform permutation), but the batch's λ no
   * longer clump, so the batch-mean loss over λ varies less from batch to batch. Several
   * one-dimensional terms are stratified each on its own (a Latin hypercube).
   */
  stratified?: boolean;
}

/** What a space needs for stratified sampling, as errors state it. */
export const STRATIFIABLE_RULE = 'stratified λ sampling needs every varying term drawn from its own one-dimensional distribution (logUniform or uniform)';

/**
 * The one owner of λ: which loss terms carry a coefficient, how λ is distributed during YOTO
 * training, what each term's support is, and how λ is encoded into the condition a model consumes.
 * Models read the condition; they never decode it back to λ.
 *
 * λ vectors always cover every term of the task, in the task's term order; terms whose coefficient
 * never varies are fixed (usually at 1) and are not part of the encoding.
 */
export interface CoefficientSpace {
  readonly terms: readonly string[];
  /** Terms whose coefficient varies; one condition column each, in this order. */
  readonly conditionedTerms: readonly string[];
  readonly conditionDim: number;
  /** Encoding of each conditioned term (its condition column). */
  readonly encodings: Readonly<Record<string, Encoding>>;
  /** What one term's λ can be under the training distribution (min/max; `value` when fixed). */
  support(term: string): TermSupport;
  /**
   * n λ vectors, row-major [n, terms.length]: independent draws, or with `stratified` one draw per
   * equal-probability stratum of each term's distribution (see SampleOptions).
   */
  sample(n: number, rng: Rng, options?: SampleOptions): Float32Array;
  /** Whether `sample` can stratify (STRATIFIABLE_RULE). */
  readonly stratifiable: boolean;
  /**
   * Host-side encoding of n λ vectors (row-major [n, terms.length]) to [n, conditionDim]. Core uses it
   * to build conditions; tasks and models call `condition` instead.
   */
  encode(lambdas: Float32Array, n: number): Float32Array;
  /**
   * The condition tensor [n, conditionDim] for n λ vectors given row-major ([n, terms.length]), or for
   * one λ vector (terms.length values) repeated on every row. The caller owns the tensor.
   */
  condition(lambdas: ArrayLike<number>, n: number): tf.Tensor2D;
  /** A λ vector (term order) as a record keyed by term. */
  toRecord(lambda: ArrayLike<number>): Record<string, number>;
  /** A record keyed by term as a full λ vector; fixed terms may be omitted, conditioned ones may not. */
  fromRecord(record: Record<string, number>): number[];
  /** A JSON description, stored with runs and checkpoints, from which the space can be rebuilt. */
  toJSON(): unknown;
}
