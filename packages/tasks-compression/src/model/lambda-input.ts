import * as tf from '@tensorflow/tfjs';
import type { CoefficientSpace } from '@yoto/core';

/** The term whose λ a compression model is conditioned on; the rate term's coefficient is fixed at 1. */
export const DISTORTION = 'distortion';
export const RATE = 'rate';

/**
 * How a compression model reads λ, shared by the factorized-prior and scale-hyperprior models. λ's
 * encoding is the coefficient space's (core's CoefficientSpace owns it); this checks that the space
 * suits a rate–distortion model, builds conditions for distortion coefficients, and reads λ's
 * position u ∈ [−1, 1] in the training range off a 'range'-encoded condition (the entropy model's
 * knots and the quantization step Δ(λ) are functions of u).
 */
export class LambdaInput {
  /** λ support of the distortion term in the space (equal ends for a fixed-λ baseline). */
  readonly lambdaRange: readonly [number, number];
  /** The condition column of λ_distortion when the space range-encodes it; −1 when not. */
  readonly rangeColumn: number;

  /**
   * `what` names the model in errors; `needsRange` says that the model reads u (knots or Δ(λ)),
   * which a conditioned model can only do from a 'range' encoding.
   */
  constructor(
    readonly what: string,
    readonly space: CoefficientSpace,
    readonly conditioned: boolean,
    needsRange: boolean,
  ) {
    if (!space.terms.includes(DISTORTION) || !space.terms.includes(RATE))
      throw new Error(`${what}: the space's terms must include '${DISTORTION}' and '${RATE}', got ${space.terms.join(', ')}`);
    if (space.conditionedTerms.includes(RATE)) throw new Error(`${what}: the '${RATE}' coefficient must be fixed (at 1), it is conditioned`);
    const rate = space.support(RATE);
    if (rate.min !== 1 || rate.max !== 1) throw new Error(`${what}: the '${RATE}' coefficient must be fixed at 1, the space gives [${rate.min}, ${rate.max}]`);
    const d = space.support(DISTORTION);
    if (!(d.min > 0)) throw new Error(`${what}: λ of '${DISTORTION}' must be > 0, the space allows ${d.min}`);
    this.lambdaRange = [d.min, d.max];
    if (conditioned) {
      if (!space.conditionedTerms.includes(DISTORTION)) throw new Error(`${what}: a conditioned model needs a space in which λ of '${DISTORTION}' varies`);
      if (!(d.max > d.min)) throw new Error(`${what}: a conditioned model needs a λ range with low < high`);
      if (needsRange && space.encodings[DISTORTION] !== 'range')
        throw new Error(
          `${what}: a conditioned model with density knots or a λ-dependent quantization step reads λ's position in its range from the condition; the space must encode '${DISTORTION}' as 'range' (encoding: { ${DISTORTION}: 'range' }), it encodes it '${space.encodings[DISTORTION]}'`,
        );
    }
    this.rangeColumn = space.encodings[DISTORTION] === 'range' ? space.conditionedTerms.indexOf(DISTORTION) : -1;
  }

  /** The full λ vector (term order) for a distortion coefficient λ: rate fixed at 1. */
  lambdaVector(lambda: number): number[] {
    return this.space.terms.map((t) => (t === DISTORTION ? lambda : 1));
  }

  /** The space's conditions [n, conditionDim] for distortion coefficients `lambdas` (null for a baseline). */
  conditionFor(lambdas: readonly number[]): tf.Tensor2D | null {
    if (!this.conditioned) return null;
    return this.space.condition(lambdas.flatMap((l) => this.lambdaVector(l)), lambdas.length);
  }

  /** The range column u ∈ [−1, 1] of conditions [B, conditionDim], as [B, 1]. */
  rangePositions(condition: tf.Tensor2D): tf.Tensor2D {
    return tf.slice(condition, [0, this.rangeColumn], [-1, 1]);
  }

  /** Knot position t ∈ [0, K−1] of a density with `knots` knots at λ (float64, from the space's condition; 0 without knots). */
  knotPosition(lambda: number, knots: number): number {
    if (knots === 0) return 0;
    const c = this.conditionFor([lambda]);
    if (!c) return 0;
    const [u] = this.hostRangePositions(c);
    c.dispose();
    return knotOfRange(u, knots);
  }

  /** Knot positions of a batch of `size` examples from its conditions (all 0 without knots or condition). */
  knotPositionsOf(condition: tf.Tensor2D | null, size: number, knots: number): number[] {
    return condition && knots > 0 ? this.hostRangePositions(condition).map((u) => knotOfRange(u, knots)) : Array<number>(size).fill(0);
  }

  /** u of each row of conditions read on the host (float64 arithmetic from here on, as the coder needs). */
  hostRangePositions(condition: tf.Tensor2D): number[] {
    const data = condition.dataSync();
    const dim = this.space.conditionDim;
    return Array.from({ length: condition.shape[0] }, (_, i) => data[i * dim + this.rangeColumn]);
  }
}

/** Knot position t ∈ [0, K−1] from a range position u ∈ [−1, 1]: −1 → 0, +1 → K − 1 (float64, as the coder computes it). */
export function knotOfRange(u: number, knots: number): number {
  return ((u + 1) / 2) * (knots - 1);
}

/** The same map in tfjs, for training: u [B, 1] → t [B]. */
export function knotsOfRange(u: tf.Tensor2D, knots: number): tf.Tensor1D {
  return tf.mul(tf.add(tf.reshape(u, [-1]), 1), (knots - 1) / 2) as tf.Tensor1D;
}
