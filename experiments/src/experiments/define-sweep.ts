import type { z } from 'zod';
import { canonicalJson } from '../config/hash.js';
import { baselineRuns, type BaselinePlan } from './baseline-plan.js';
import { runTraining, type SweepRunsConfig } from './plan-helpers.js';
import type {
  ExperimentDefinition,
  ExperimentPlan,
  PictureArtifact,
  PicturesContext,
  ProfileSpec,
  ReportExtension,
  ReportExtensionContext,
  ReportSpec,
  RunKind,
  RunSpec,
} from './types.js';
import { verifyDatasets } from './verify-datasets.js';

/**
 * A YOTO-vs-baselines sweep, written as data: what the config is (a zod schema: every key with its
 * default, unit and checks), the profiles, the task and space, the baselines, the evaluation grid and
 * the report. `defineSweep` turns it into the runner's ExperimentDefinition: the runs (the YOTO model
 * first, one per baseline, one seed and the `train` section for all), the dataset check before any
 * worker starts, and the lazy loading of the tfjs-using picture and report hooks, so that the CLI
 * process, which plans every experiment, never loads tfjs.
 */
export interface SweepDefinition<C extends SweepRunsConfig> {
  name: string;
  description: string;
  /** The config: built from `keys.ts`; cross-key checks in its `.superRefine`. */
  config: z.ZodType<C>;
  /** Overrides of the defaults, as data. `default` has none. */
  profiles: { smoke: ProfileSpec<C>; default: ProfileSpec<C>; full: ProfileSpec<C> } & Record<string, ProfileSpec<C>>;
  /** Data-root datasets the runs read (core's catalog names), verified before training starts. */
  datasets?: readonly string[];
  /** The task (`package` is imported by workers to register it) and its options; part of every run's identity. */
  task(c: C): ExperimentPlan['task'];
  /**
   * The YOTO run's task when it reads options the baselines do not (absent, or equal to `task`: the
   * plan's). Options only a conditioned model reads go here, so that setting them retrains the YOTO
   * model alone and the baselines and the control keep their identities.
   */
  yotoTask?(c: C): ExperimentPlan['task'];
  /** The core SpaceSpec every run shares (without a grid: the space is identity, the grid is not). */
  space(c: C): Record<string, unknown>;
  /**
   * The YOTO run's space when it trains on other λ than the plan's space draws (absent, or equal to
   * `space`: the plan's), e.g. a range wider than the one evaluated; the baselines keep their identities.
   */
  yotoSpace?(c: C): Record<string, unknown>;
  /** The YOTO run's label in the progress display. */
  yotoLabel(c: C): string;
  /** The fixed-λ baselines (and the equal-steps control), as values: see baseline-plan.ts. */
  baselines: BaselinePlan<C>;
  /** Learning-rate factors by parameter scope for a run of this kind; absent or empty: none. */
  learningRateScales?(c: C, kind: RunKind): Record<string, number>;
  /** Whether a run of this kind weighs each example by its λ over their geometric mean (core's normalizeLossWeights); absent: never. */
  normalizeLossWeights?(c: C, kind: RunKind): boolean;
  /** Whether a YOTO run draws its batches' λ stratified (core's lambdaSampling 'stratified'); absent: never. */
  stratifiedLambdas?(c: C): boolean;
  /** Full λ vectors at which the YOTO model is evaluated. */
  grid(c: C): Record<string, number>[];
  evaluation(c: C): ExperimentPlan['evaluation'];
  report: ReportSpec;
  /** Options of the pictures hook, given the plan's grid, and the hook itself (imported when drawing). */
  pictures?: { options(c: C, grid: Record<string, number>[]): Record<string, unknown>; draw(): Promise<(ctx: PicturesContext) => Promise<PictureArtifact[]>> };
  /** The experiment's own report content (imported when reporting). */
  extendReport?(): Promise<(ctx: ReportExtensionContext) => Promise<ReportExtension>>;
  /** Checks beyond the datasets (e.g. a weights file), before training starts. */
  preflight?(c: C, env: NodeJS.ProcessEnv): Promise<void>;
}

export function defineSweep<C extends SweepRunsConfig>(d: SweepDefinition<C>): ExperimentDefinition<C> {
  const { pictures, extendReport, preflight, datasets } = d;
  return {
    name: d.name,
    description: d.description,
    schema: d.config,
    profiles: d.profiles,
    plan(c): ExperimentPlan {
      const scales = d.learningRateScales;
      const task = d.task(c);
      const yotoTask = d.yotoTask?.(c);
      const space = d.space(c);
      const yotoSpace = d.yotoSpace?.(c);
      const yoto: RunSpec = {
        key: 'yoto',
        kind: 'yoto',
        label: d.yotoLabel(c),
        training: runTraining(c, c.yoto.steps),
        // Only when it differs, so that the YOTO run keeps the identity it has without the hook.
        ...(yotoTask && canonicalJson(yotoTask) !== canonicalJson(task) ? { task: yotoTask } : {}),
        ...(yotoSpace && canonicalJson(yotoSpace) !== canonicalJson(space) ? { space: yotoSpace } : {}),
      };
      // An empty map is no factor: left out, so a run's identity is the one it had without the hook.
      const runs = [yoto, ...baselineRuns(c, d.baselines)]
        .map((r) => {
          const s = scales?.(c, r.kind);
          return s && Object.keys(s).length ? { ...r, training: { ...r.training, learningRateScales: s } } : r;
        })
        // Only when set (last), so runs without it keep the identity they had before the option existed.
        .map((r) => (d.normalizeLossWeights?.(c, r.kind) ? { ...r, training: { ...r.training, normalizeLossWeights: true as const } } : r))
        .map((r) => (r.kind === 'yoto' && d.stratifiedLambdas?.(c) ? { ...r, training: { ...r.training, lambdaSampling: 'stratified' as const } } : r));
      const grid = d.grid(c);
      return {
        task,
        space,
        runs,
        grid,
        evaluation: d.evaluation(c),
        report: d.report,
        ...(pictures ? { pictures: pictures.options(c, grid) } : {}),
      };
    },
    ...(pictures ? { pictures: async (ctx: PicturesContext) => (await pictures.draw())(ctx) } : {}),
    ...(extendReport ? { extendReport: async (ctx: ReportExtensionContext) => (await extendReport())(ctx) } : {}),
    ...(datasets || preflight
      ? {
          async preflight(c: C, env: NodeJS.ProcessEnv) {
            // Fail before any worker starts, naming the missing or corrupt file and how to mend it.
            if (datasets) await verifyDatasets(datasets, env);
            await preflight?.(c, env);
          },
        }
      : {}),
  };
}
