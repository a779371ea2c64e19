import { configHash } from '../config/hash.js';
import type { ExperimentPlan, RunSpec } from '../experiments/types.js';

export interface RunIdentity {
  spec: RunSpec;
  /** Hash of everything that determines the trained weights. */
  hash: string;
  /** The run's name in the tracker: profile, key and hash, unique within the experiment. */
  name: string;
  /** What the tracker stores as the run's config. */
  config: Record<string, unknown>;
}

/**
 * Names a run by what determines its weights (its task, space, kind, λ, training settings) and the
 * profile. A re-run with the same name reuses or resumes that run; change any of those and it is a
 * new run. Evaluation and report settings are deliberately left out: changing the grid re-evaluates
 * without retraining.
 */
export function identify(experiment: string, profile: string, plan: ExperimentPlan, spec: RunSpec): RunIdentity {
  const config = {
    experiment,
    profile,
    key: spec.key,
    kind: spec.kind,
    task: spec.task ?? plan.task,
    space: spec.space ?? plan.space,
    lambda: spec.lambda ?? null,
    training: spec.training,
  };
  const hash = configHash(config);
  return { spec, hash, name: `${profile}/${spec.key}/${hash.slice(0, 8)}`, config: { ...config, hash } };
}
