import { fmt } from './format.js';
import { runTraining, type SweepRunsConfig } from './plan-helpers.js';
import type { RunSpec } from './types.js';

/*
 * The fixed-λ runs of a sweep, declared as values. An experiment says which λ get a baseline; the run
 * keys, labels and budgets follow from here, so every experiment names its runs the same way (the
 * keys are part of each run's identity: changing the spelling here retrains every stored baseline).
 */

/**
 * Baselines at values of one coefficient, every other term fixed: run `baseline-<key>=<v>`, labelled
 * `<symbol>=<v>`, each with `baselines.steps`.
 */
export interface SweptBaselines<C> {
  /** The coefficient in run keys, e.g. `beta` (`baseline-beta=0.5`). */
  key: string;
  /** The coefficient in labels, e.g. `β` (`β=0.5`). */
  symbol: string;
  /** The values that get a baseline each, in the order they train. */
  values(c: C): readonly number[];
  /** The full λ (every term) of a run at value `v`. */
  lambda(v: number): Record<string, number>;
  /**
   * The equal-steps control: the value of one more fixed-λ run trained for as many steps as the YOTO
   * model (0: none), which tells how much of a YOTO advantage is budget and how much is method. Run
   * `control-<key>=<v>`, trained and evaluated as a baseline but left out of the budget share.
   */
  control?(c: C): number;
}

/** Baselines at named λ settings: run `baseline-<name>`, labelled by the name, each with `baselines.steps`. */
export interface NamedBaselines<C> {
  /** The settings that get a baseline each, in the order they train. */
  names(c: C): readonly string[];
  /** The full λ of the setting `name`. */
  setting(c: C, name: string): Record<string, number>;
}

export type BaselinePlan<C> = SweptBaselines<C> | NamedBaselines<C>;

/** Run keys of equal-steps controls start with this; `isControl` tells them from baselines. */
export const CONTROL_KEY_PREFIX = 'control-';

/** Whether a run key (`control-lambda=0.018`) or tracker run name (`<profile>/<key>/<hash>`) is a control's. */
export function isControl(keyOrName: string): boolean {
  const parts = keyOrName.split('/');
  return (parts.length === 3 ? parts[1] : keyOrName).startsWith(CONTROL_KEY_PREFIX);
}

/** The baselines' runs, then the control's when there is one. */
export function baselineRuns<C extends SweepRunsConfig>(c: C, plan: BaselinePlan<C>): RunSpec[] {
  const baseline = (key: string, label: string, lambda: Record<string, number>): RunSpec => ({ key, kind: 'baseline', label, lambda, training: runTraining(c, c.baselines.steps) });
  if (!isSwept(plan)) return plan.names(c).map((name) => baseline(`baseline-${name}`, name, plan.setting(c, name)));
  const runs = plan.values(c).map((v) => baseline(`baseline-${plan.key}=${fmt(v)}`, `${plan.symbol}=${fmt(v)}`, plan.lambda(v)));
  const control = plan.control?.(c) ?? 0;
  if (control > 0)
    runs.push({
      key: `${CONTROL_KEY_PREFIX}${plan.key}=${fmt(control)}`,
      kind: 'baseline',
      control: true,
      label: `${plan.symbol}=${fmt(control)} (YOTO's steps)`,
      lambda: plan.lambda(control),
      training: runTraining(c, c.yoto.steps),
    });
  return runs;
}

/** Every value a swept plan trains a fixed-λ run at (baselines, then the control): the evaluation grid must hold them. */
export function trainedValues<C>(c: C, plan: SweptBaselines<C>): number[] {
  const control = plan.control?.(c) ?? 0;
  return [...plan.values(c), ...(control > 0 ? [control] : [])];
}

function isSwept<C>(plan: BaselinePlan<C>): plan is SweptBaselines<C> {
  return 'values' in plan;
}
