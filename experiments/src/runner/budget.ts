import type { RunSpec } from '../experiments/types.js';

export interface Budget {
  yotoSteps: number;
  baselineSteps: number;
  baselineCount: number;
  /** Steps per baseline, or a range "a–b" when they differ. */
  baselineStepsEach: string;
  /** YOTO steps / all baselines' steps: the compute the single model spends relative to the many. */
  share: number;
}

/** Compute budget of a plan in training steps (same batch and backbone for every run); control runs are not counted. */
export function computeBudget(runs: readonly RunSpec[]): Budget {
  const yoto = runs.filter((r) => r.kind === 'yoto').reduce((s, r) => s + r.training.steps, 0);
  const baseSteps = runs.filter((r) => r.kind === 'baseline' && !r.control).map((r) => r.training.steps);
  const total = baseSteps.reduce((s, v) => s + v, 0);
  const lo = Math.min(...baseSteps);
  const hi = Math.max(...baseSteps);
  return {
    yotoSteps: yoto,
    baselineSteps: total,
    baselineCount: baseSteps.length,
    baselineStepsEach: baseSteps.length === 0 ? '0' : lo === hi ? String(lo) : `${lo}–${hi}`,
    share: total > 0 ? yoto / total : Number.POSITIVE_INFINITY,
  };
}
