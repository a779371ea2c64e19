/**
 * Payloads and results of the worker jobs. Plain JSON: they cross the IPC channel. The parent never
 * loads tfjs; everything that touches a model happens in a worker.
 */
import type { ExperimentPlan, PictureModel, RunSpec } from '../experiments/types.js';

export interface TaskRef {
  name: string;
  /** Package whose import registers the task (e.g. `@yoto/tasks-vae`). */
  package: string;
  options: Record<string, unknown>;
}

export interface TrainPayload {
  db: string;
  checkpointsRoot: string;
  experiment: string;
  /** Existing run to resume; absent: create the run `name` (or resume it, if it exists by then). */
  runId?: number;
  /**
   * Resume the run even if it still looks alive: set by the queue worker, whose job lock (lost by a
   * worker that died) says who trains the run; the tracker's lease fences off the old owner.
   */
  takeOver?: boolean;
  name: string;
  config: Record<string, unknown>;
  spec: RunSpec;
  task: TaskRef;
  space: Record<string, unknown>;
  backend?: string;
  tags: string[];
}

/** What a train job sends back (plain JSON over IPC); core's TrainResult stays in the worker. */
export interface TrainJobResult {
  runId: number;
  checkpoint: string;
  /** Steps completed (the checkpoint's step). */
  steps: number;
  /** Step the run continued from (0 for a fresh run). */
  resumedFrom: number;
  /** True when it stopped early on request (checkpointed, marked killed). */
  stopped: boolean;
  wallSeconds: number;
  backend: string;
  finalLoss: number | null;
}

export interface EvaluatePayload {
  db: string;
  runId: number;
  /** The model, with the space and task options it was trained with (the run's, which may differ from the plan's). */
  checkpoint: string;
  /**
   * The task the checkpoint must be of and the package whose import registers it. No options: the
   * evaluation builds the task from the checkpoint's own (core loadTrained), which are the run's and
   * may differ from the plan's (a YOTO-only option).
   */
  task: Pick<TaskRef, 'name' | 'package'>;
  lambdas: Record<string, number>[];
  evaluation: ExperimentPlan['evaluation'];
  /** The metric the progress display shows in its loss column. */
  progressMetric: string;
  backend?: string;
}

export interface EvaluationPoint {
  lambda: Record<string, number>;
  values: Record<string, number>;
}

export interface EvaluateResult {
  runId: number;
  points: EvaluationPoint[];
  stopped: boolean;
}

export interface PicturesPayload {
  experiment: string;
  profile: string;
  sets: string[];
  models: PictureModel[];
  outDir: string;
  backend?: string;
}

export interface PicturesResult {
  images: { path: string; title: string; caption: string }[];
}
