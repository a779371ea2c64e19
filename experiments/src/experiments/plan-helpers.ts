import type { RunTraining } from './types.js';

/** The `train` section every sweep config shares. */
export interface TrainSettings {
  batchSize: number;
  learningRate: number;
  /** 'cosine': decay to 0 over each run's own steps; 'constant'. The same rule for every run. */
  schedule: string;
  checkpointEvery: number;
  logEvery: number;
  /** Linear learning-rate warm-up over the first steps of each run (0 or absent: none). */
  warmupSteps?: number;
  /** Rescale each step's gradients to at most this global norm (0 or absent: no clipping). */
  clipGradNorm?: number;
}

/**
 * Training settings of one run of a sweep. One seed for every run: same initial model and the same
 * data order, so runs with different budgets compare. Key order is kept stable: it feeds the run's
 * config hash, which decides whether an earlier run is reused.
 */
export function runTraining(c: { seed: number; train: TrainSettings }, steps: number): RunTraining {
  return {
    steps,
    batchSize: c.train.batchSize,
    learningRate: c.train.learningRate,
    // The warm-up only when set, so runs without one keep the identity they had before the key existed.
    schedule: { ...(c.train.schedule === 'cosine' ? { kind: 'cosine' as const } : { kind: 'constant' as const }), ...(c.train.warmupSteps ? { warmupSteps: c.train.warmupSteps } : {}) },
    seed: c.seed,
    checkpointEvery: c.train.checkpointEvery,
    logEvery: c.train.logEvery,
    // Only when set, so runs without clipping keep the identity they had before the key existed.
    ...(c.train.clipGradNorm ? { clipGradNorm: c.train.clipGradNorm } : {}),
  };
}

/** Config fields a sweep's runs are built from. */
export interface SweepRunsConfig {
  seed: number;
  train: TrainSettings;
  yoto: { steps: number };
  baselines: { steps: number };
}
