/**
 * When a run has diverged to a finite loss: after the first `warmup` steps, `window` consecutive
 * steps each with a loss above `factor` × the lowest loss since the warm-up and above the highest
 * loss of the warm-up. A NaN or infinite loss is caught before this (NonFiniteLossError).
 */
export interface DivergenceRule {
  warmup: number;
  window: number;
  factor: number;
}

/**
 * Chosen on the logged losses (every 10th step) of the runs of 2026-12-06 (vae-beta-sweep, style-
 * adjustable, compression-rd-sweep; two of the curves are in __fixtures__/run-losses.ts): no step's loss matters alone, since YOTO losses
 * spike legitimately (a batch of large λ), but a diverged run stays up.
 * - Healthy (24 runs, 1,820–24,000 steps): the lowest loss of any 100-step window after the warm-up
 *   is at most 5.66× the lowest loss before it (the compression YOTO run; fixed-λ runs ≤ 2.7×, vae and
 *   style ≤ 1.8×), and at most 0.67× the highest loss of the first 100 steps: factor 100 leaves 17×.
 * - Diverged (the hyperprior control at lr 1e-3: 15.8 at step 220, 3.6e6 at 260, ~1e25 until it was
 *   stopped at 7,570): from step 270 on no logged loss is below 2.07e9, which is 2.0e8× its lowest loss
 *   since the warm-up (10.3) and 1.9e7× the highest of the warm-up (107); the rule stops it about 100
 *   steps after the blow-up (step ~350) instead of hours later.
 */
export const DIVERGENCE_RULE: DivergenceRule = { warmup: 100, window: 100, factor: 100 };

/** What the guard saw when it fired: the numbers its message states. */
export interface Divergence {
  rule: DivergenceRule;
  /** The lowest loss since the warm-up, before the window. */
  floor: number;
  /** The highest loss of the warm-up. */
  ceiling: number;
}

/**
 * A guard's state between steps, as JSON (a checkpoint carries it): a level not set yet is null.
 * The rule travels with it, so a state is only taken up by a guard of the same rule.
 */
export interface DivergenceGuardState {
  rule: DivergenceRule;
  seen: number;
  ceiling: number | null;
  floor: number | null;
  streak: number;
}

/**
 * Judges a run's step losses one by one (O(1) state). The warm-up counts the steps the guard saw; a
 * resumed run continues the guard of the steps before (`state` in the checkpoint, `restore`), so it
 * judges each step as the uninterrupted run would. A loss ≤ 0 since the warm-up switches the guard off
 * (a factor over a floor ≤ 0 says nothing; no task here has such losses).
 */
export class DivergenceGuard {
  private seen = 0;
  private ceiling = -Infinity;
  private floor = Infinity;
  private streak = 0;

  constructor(readonly rule: DivergenceRule = DIVERGENCE_RULE) {}

  /**
   * A guard that continues from `state`. A state of another rule (or none: a checkpoint written before
   * guards were saved) gives a fresh guard, which takes the steps from here on as its warm-up.
   */
  static restore(state: DivergenceGuardState | null | undefined, rule: DivergenceRule = DIVERGENCE_RULE): DivergenceGuard {
    const guard = new DivergenceGuard(rule);
    if (!state || !sameRule(state.rule, rule)) return guard;
    guard.seen = state.seen;
    guard.ceiling = state.ceiling ?? -Infinity;
    guard.floor = state.floor ?? Infinity;
    guard.streak = state.streak;
    return guard;
  }

  state(): DivergenceGuardState {
    const level = (x: number): number | null => (Number.isFinite(x) ? x : null);
    return { rule: { ...this.rule }, seen: this.seen, ceiling: level(this.ceiling), floor: level(this.floor), streak: this.streak };
  }

  /** Feeds the finite loss of the next step; returns what fired when the run has diverged, else null. */
  observe(loss: number): Divergence | null {
    const { warmup, window, factor } = this.rule;
    if (this.seen++ < warmup) {
      this.ceiling = Math.max(this.ceiling, loss);
      return null;
    }
    if (this.floor <= 0) return null;
    if (loss > factor * this.floor && loss > this.ceiling) this.streak++;
    else {
      this.streak = 0;
      this.floor = Math.min(this.floor, loss);
    }
    return this.streak >= window ? { rule: this.rule, floor: this.floor, ceiling: this.ceiling } : null;
  }
}

function sameRule(a: DivergenceRule, b: DivergenceRule): boolean {
  return a.warmup === b.warmup && a.window === b.window && a.factor === b.factor;
}
