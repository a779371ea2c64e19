import type { ReportChart, ReportTable, Tracker } from '@yoto/tracker';
import type { z } from 'zod';
import type { DeepPartial } from '../config/merge.js';

export type RunKind = 'yoto' | 'baseline';

/** Training settings of one run; everything here goes into the run's config hash. */
export interface RunTraining {
  steps: number;
  batchSize: number;
  learningRate: number;
  /** A core LrSchedule (JSON), applied over the run's own steps. */
  schedule: ({ kind: 'constant' } | { kind: 'cosine'; minLr?: number }) & { warmupSteps?: number };
  seed: number;
  /** Checkpoint every this many steps (and on stop). */
  checkpointEvery: number;
  /** Log step metrics every this many steps. */
  logEvery: number;
  /** Learning-rate factors by parameter scope (core TrainConfig.learningRateScales); absent: none. */
  learningRateScales?: Record<string, number>;
  /** Rescale each step's gradients to at most this global norm (core TrainConfig.clipGradNorm); absent: none. */
  clipGradNorm?: number;
  /** Weigh each example by its λ over their geometric mean (core TrainConfig.normalizeLossWeights); absent: by λ. */
  normalizeLossWeights?: true;
  /** Draw a YOTO batch's λ one per equal-probability stratum (core TrainConfig.lambdaSampling); absent: independently. */
  lambdaSampling?: 'stratified';
}

/** One model to train: the YOTO model or one fixed-λ baseline. */
export interface RunSpec {
  /** Stable name within the experiment, e.g. `yoto` or `baseline-kl=0.5`. */
  key: string;
  kind: RunKind;
  /** Short label for the progress display, e.g. `β=0.5`. */
  label: string;
  /** The fixed λ (every term) of a baseline; absent for the YOTO model. */
  lambda?: Record<string, number>;
  training: RunTraining;
  /**
   * A control run: trained like a baseline (fixed λ) but not one of the baselines the YOTO model
   * replaces (e.g. a baseline given the YOTO model's steps), so the compute budget leaves it out.
   */
  control?: boolean;
  /**
   * The run's own task when it is not the plan's: options that only this run's kind of model reads
   * (e.g. the YOTO model's decoder step), so that setting them leaves the other runs' identities as
   * they were. The run's identity and its training use it; absent: the plan's task.
   */
  task?: ExperimentPlan['task'];
  /**
   * The run's own coefficient space when it is not the plan's (e.g. a YOTO model trained on a wider λ
   * range than it is evaluated on), so that the other runs keep their identities. The run's identity
   * and its training use it; absent: the plan's space.
   */
  space?: Record<string, unknown>;
}

/** What the report plots and compares. */
export interface ReportSpec {
  /** The coefficient swept along the x axis of "metric vs λ" charts and the picture columns. */
  lambdaTerm: string;
  /** How that coefficient is written on axes, e.g. `β`. */
  lambdaTitle: string;
  /** Display names of metrics, e.g. `{ kl: 'KL (nats)' }`. */
  metricTitles: Record<string, string>;
  /** Step metrics drawn as learning curves. */
  curves: string[];
  /** Trade-off plane axes (metric names), e.g. KL on x, reconstruction on y. */
  x: string;
  y: string;
  /** Metrics shown against λ and compared in the summary. */
  metrics: string[];
  /** The metric whose relative gap is the experiment's target (e.g. the β-weighted loss). */
  gapMetric: string;
  /** Headline target for the gap of `gapMetric`, as a fraction (0.03 = 3%). */
  gapTarget: number;
}

/** Everything the runner needs, derived from a resolved config. */
export interface ExperimentPlan {
  /** `package` is imported by workers to register the task (e.g. `@yoto/tasks-vae`). */
  task: { name: string; package: string; options: Record<string, unknown> };
  /** A core SpaceSpec (JSON), shared by every run of the experiment. */
  space: Record<string, unknown>;
  runs: RunSpec[];
  /** Full λ vectors (objects over the task's terms) at which the YOTO model is evaluated. */
  grid: Record<string, number>[];
  evaluation: { limit: number; batchSize: number };
  report: ReportSpec;
  /** Options for the experiment's pictures hook, when it has one. */
  pictures?: Record<string, unknown>;
}

export interface ProfileSpec<C> {
  description: string;
  overrides: DeepPartial<C>;
}

/** A model the pictures hook can draw with: the YOTO model (any λ) or a baseline (its own λ). */
export interface PictureModel {
  runKey: string;
  kind: RunKind;
  checkpoint: string;
  lambda?: Record<string, number>;
}

export interface PicturesContext {
  plan: ExperimentPlan;
  models: PictureModel[];
  /** Folder to write image files into. */
  outDir: string;
  backend: string;
}

export interface PictureArtifact {
  path: string;
  title: string;
  caption: string;
}

export interface ReportExtensionContext {
  plan: ExperimentPlan;
  /** Read-only use: the evaluation points and runs of `record`. */
  tracker: Tracker;
  /** The tracker experiment being reported. */
  record: string;
  /** The report's folder (pictures and any files the experiment keeps beside the report). */
  outDir: string;
  /** The tracker ids of the plan's runs (what the generic report shows; see `planRunIds`). */
  runIds: number[];
}

/** Experiment-specific report content, shown before the generic charts and tables. */
export interface ReportExtension {
  charts?: ReportChart[];
  tables?: ReportTable[];
  notes?: string[];
  /**
   * Ids of the generic report's charts and tables that this content replaces (e.g. `tradeoff-1`,
   * `metrics-vs-lambda`, `gap`, `gaps`): where one λ axis cannot describe the grid (several
   * coefficients vary together), the generic charts would draw lines through unrelated points.
   */
  replaces?: string[];
  /** The id of the chart among `charts` that replaces the trade-off plane (`tradeoff-1`): the explorer page draws it. */
  tradeoff?: string;
}

/**
 * An experiment as the runner sees it: a config schema (every key with its default, unit and checks),
 * named profiles that override parts of it, and the function that turns a resolved config into a
 * plan. `--set` addresses the config with dotted paths, parsed and checked by the schema. Sweeps are
 * written declaratively with `defineSweep` (define-sweep.ts), which builds this.
 */
export interface ExperimentDefinition<C extends object = Record<string, unknown>> {
  name: string;
  description: string;
  /** The one validator: `schema.parse(profile overrides + --set)` is the resolved config. */
  schema: z.ZodType<C>;
  /** Must include `default` (with empty overrides) so it is listed like the others. */
  profiles: Record<string, ProfileSpec<C>>;
  plan(config: C): ExperimentPlan;
  /** Runs in a worker process with the backend ready; writes images for the report. */
  pictures?(ctx: PicturesContext): Promise<PictureArtifact[]>;
  /**
   * Runs in the CLI process before any training starts: checks what the runs need (e.g. datasets)
   * and throws an error that names what is missing, instead of every worker failing on it. `env` is
   * the environment the workers will get.
   */
  preflight?(config: C, env: NodeJS.ProcessEnv): void | Promise<void>;
  /** Adds charts, tables and notes to the report (runs in the CLI process, for `exp run` and `exp report`). */
  extendReport?(ctx: ReportExtensionContext): Promise<ReportExtension>;
}
