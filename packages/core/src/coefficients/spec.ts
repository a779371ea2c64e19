/**
 * The JSON-able description of a coefficient space. A space is rebuilt from exactly this object
 * (checkpoints and the tracker store it), so it holds only plain numbers, strings and arrays.
 */

/**
 * How a conditioned term's λ is fed to the conditioning network: 'log' (log λ), 'linear' (λ itself),
 * 'range' (log λ mapped linearly onto [−1, 1] over the term's support, low → −1, high → +1), or
 * 'linearRange' (λ itself mapped linearly onto [−1, 1] over the support; the support may start at 0,
 * as weights that can be switched off do). The two range encodings give inputs of both signs centred
 * on the training box whatever its bounds, and a model can read its position in the training range
 * straight off the column (e.g. to interpolate per-λ parameters). Centred inputs matter to a
 * conditioning MLP: with raw weights, all ≥ 0, every hidden unit carries a large λ-independent part,
 * and the heads' gradients are dominated by it rather than by how λ changes the loss.
 */
export type Encoding = 'log' | 'linear' | 'range' | 'linearRange';

/** Every encoding, in the order error messages list them. */
export const ENCODINGS: readonly Encoding[] = ['log', 'linear', 'range', 'linearRange'];

/** Whether an encoding reads log λ (log and range): λ's natural scale for sliders and grids. */
export function logEncoded(e: Encoding): boolean {
  return e === 'log' || e === 'range';
}

/**
 * The training distribution of λ over some of the terms. Terms that no distribution covers are
 * fixed at 1.
 */
export type Distribution =
  /** One term held at a constant. */
  | { kind: 'fixed'; term: string; value: number }
  /** log λ uniform on [log low, log high]; needs 0 < low < high. */
  | { kind: 'logUniform'; term: string; low: number; high: number }
  /** λ uniform on [low, high]; needs low < high. */
  | { kind: 'uniform'; term: string; low: number; high: number }
  /** λ over several terms on the simplex Σλ = total (default 1), Dirichlet(concentration) (default 1: uniform). */
  | { kind: 'dirichlet'; terms: string[]; concentration?: number | number[]; total?: number }
  /** One of the terms, chosen uniformly, at `value` (default 1); the others at 0. */
  | { kind: 'oneHot'; terms: string[]; value?: number }
  /** Independent parts over disjoint terms. */
  | { kind: 'product'; parts: Distribution[] }
  /** One component drawn per example with probability weight/Σweights; all components cover the same terms. */
  | { kind: 'mixture'; components: { weight: number; distribution: Distribution }[] };

/**
 * An evaluation grid. It yields full λ vectors: terms the grid does not set keep their fixed value;
 * a conditioned term the grid does not set is an error.
 */
export type GridSpec =
  /** `count` ≥ 2 values of one term, log-spaced from low to high inclusive. */
  | { kind: 'log'; term: string; low: number; high: number; count: number }
  /** `count` ≥ 2 values of one term, evenly spaced from low to high inclusive. */
  | { kind: 'linear'; term: string; low: number; high: number; count: number }
  /** An explicit list of values of one term, in the given order. */
  | { kind: 'values'; term: string; values: number[] }
  /** Explicit points; each sets any subset of the terms. */
  | { kind: 'points'; points: Record<string, number>[] }
  /** Every point of the simplex Σλ = total whose coordinates are multiples of total/divisions. */
  | { kind: 'simplex'; terms: string[]; divisions: number; total?: number }
  /** Cartesian product of grids over disjoint terms; the last grid varies fastest. */
  | { kind: 'product'; grids: GridSpec[] };

export interface SpaceSpec {
  /** Every loss term of the task, in the task's order; λ vectors use this order. */
  terms: string[];
  /** One distribution, or several over disjoint terms (a product). */
  distribution: Distribution | Distribution[];
  /**
   * Encoding of the conditioned terms: one for all, or per term. Default per term: 'log' when the
   * term's λ is always > 0, 'linear' otherwise (simplex and one-hot terms can be 0). 'range' needs
   * 0 < low < high, 'linearRange' low < high (both finite).
   */
  encoding?: Encoding | Record<string, Encoding>;
  /** The default evaluation grid (see `DefinedSpace.evaluationGrid`). */
  grid?: GridSpec;
}
