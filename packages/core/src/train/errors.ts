import type { Divergence } from './divergence.js';

/** Thrown when a step's loss, one of its terms, or its gradient is NaN or infinite. */
export class NonFiniteLossError extends Error {
  override readonly name = 'NonFiniteLossError';
  constructor(
    /** 0-based step index (the `step` the task's trainBatch received). */
    readonly step: number,
    /** Terms whose batch mean is not finite (empty when only the weighted sum or the gradient is). */
    readonly terms: readonly string[],
    readonly values: Readonly<Record<string, number>>,
  ) {
    const shown = Object.entries(values)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    const what = terms.length
      ? `non-finite loss term${terms.length > 1 ? 's' : ''} ${terms.map((t) => `'${t}'`).join(', ')}`
      : !Number.isFinite(values.loss)
        ? 'the λ-weighted loss is not finite (every term is)'
        : 'the gradient is not finite (the loss is)';
    super(`training stopped at step ${step}: ${what} (${shown}); the update of this step was not applied`);
  }
}

/**
 * Thrown when the loss stays finite but has diverged (DivergenceGuard): the run is failed like one
 * whose loss turned NaN, through the same path, so the tracker records it and `exp run` reports it.
 */
export class DivergedLossError extends Error {
  override readonly name = 'DivergedLossError';
  constructor(
    /** 0-based step index of the step that completed the window. */
    readonly step: number,
    readonly loss: number,
    readonly divergence: Divergence,
  ) {
    const { rule, floor, ceiling } = divergence;
    super(
      `training stopped at step ${step}: the loss diverged (loss=${loss.toPrecision(4)}): each of the last ${rule.window} steps' losses was above ` +
        `${rule.factor}× the lowest since step ${rule.warmup} (${floor.toPrecision(4)}) and above the highest of the first ${rule.warmup} steps ` +
        `(${ceiling.toPrecision(4)}); the update of this step was not applied`,
    );
  }
}
