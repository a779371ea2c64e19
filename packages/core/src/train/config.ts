import { STRATIFIABLE_RULE, type CoefficientSpace } from '../coefficients/space.js';
import type { Task } from '../task/task.js';
import { resolveAdamConfig, type AdamConfig } from './adam.js';
import { validateSchedule, type LrSchedule } from './schedule.js';

export type TrainMode = 'yoto' | 'fixed';

/** How a YOTO batch's λ are drawn: each on its own, or one per equal-probability stratum (CoefficientSpace SampleOptions). */
export type LambdaSampling = 'independent' | 'stratified';
export const LAMBDA_SAMPLINGS: readonly LambdaSampling[] = ['independent', 'stratified'];

export interface TrainConfig {
  /** `yoto`: one λ per example drawn from `space`, model conditioned; `fixed`: the constant `lambda`. */
  mode: TrainMode;
  /** The coefficient space (default: the task's `defaultSpace()`); its terms must be the task's terms. */
  space?: CoefficientSpace;
  /** Fixed mode only: the full λ vector in task-term order, or a record (fixed terms may be omitted when the space can fill them). */
  lambda?: readonly number[] | Readonly<Record<string, number>>;
  /** Build the model with conditioning (default: true for yoto, false for fixed). */
  conditioned?: boolean;
  /** Total optimisation steps of the run (a resumed run counts the steps done before). */
  steps: number;
  batchSize: number;
  /** Seeds the model initialisation, the data order and the λ sampler. */
  seed: number;
  optimizer: AdamConfig;
  /** Default constant. */
  schedule?: LrSchedule;
  /** Rescale gradients to at most this global norm (default: no clipping). */
  clipGradNorm?: number;
  /**
   * Weigh each example's terms by its λ divided by their geometric mean (loss-weights.ts; google-research
   * yoto's `normalize_loss_weights`) instead of by λ itself; the model and the task still see the raw λ.
   * Default false.
   */
  normalizeLossWeights?: boolean;
  /**
   * YOTO mode: draw each step's λ independently per example ('independent', the default) or as one
   * stratified batch ('stratified': the batch's B values one per equal-probability stratum of the
   * space's distribution, in a random order; each example's marginal is unchanged). Needs a space whose
   * varying terms have one-dimensional distributions (CoefficientSpace.stratifiable).
   */
  lambdaSampling?: LambdaSampling;
  /**
   * Factors on the learning rate by parameter scope: a parameter-name prefix (e.g. 'conditioning/',
   * 'entropy_bottleneck/') → factor > 0; the longest matching prefix wins, other parameters get 1.
   * For parameters that must travel much further than the rest within a short budget.
   */
  learningRateScales?: Readonly<Record<string, number>>;
  /** Log metrics every this many steps (default 100), and at the last step. */
  logEvery?: number;
  /** Write a checkpoint every `every` steps, at the end and when aborted. */
  checkpoint?: { dir: string; every: number };
  /** true: continue from `checkpoint.dir` if it holds a checkpoint; a path: continue from that file (which must exist). */
  resume?: boolean | string;
  /** The options the task was created with; recorded and compared on resume. */
  taskOptions?: Record<string, unknown>;
}

export interface ResolvedTrainConfig {
  mode: TrainMode;
  space: CoefficientSpace;
  lambda: number[] | null;
  conditioned: boolean;
  steps: number;
  batchSize: number;
  seed: number;
  optimizer: Required<AdamConfig>;
  schedule: LrSchedule;
  clipGradNorm: number | null;
  normalizeLossWeights: boolean;
  lambdaSampling: LambdaSampling;
  learningRateScales: Record<string, number> | null;
  logEvery: number;
  checkpoint: { dir: string; every: number } | null;
  resume: boolean | string;
  taskOptions: Record<string, unknown> | null;
}

/** Metric names the trainer logs itself; a loss term may not use them. */
export const RESERVED_METRICS = ['loss', 'lr', 'grad_norm'] as const;

function integer(value: unknown, what: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw new Error(`train config: ${what} must be an integer ≥ ${min}, got ${String(value)}`);
  return value;
}

/** Validates a config against a task and fills in the defaults; errors name the field. */
export function resolveTrainConfig(task: Task, c: TrainConfig): ResolvedTrainConfig {
  if (c.mode !== 'yoto' && c.mode !== 'fixed') throw new Error(`train config: mode must be 'yoto' or 'fixed', got ${JSON.stringify(c.mode)}`);
  const space = c.space ?? task.defaultSpace();
  if (space.terms.length !== task.terms.length || space.terms.some((t, i) => t !== task.terms[i]))
    throw new Error(`train config: the space's terms [${space.terms.join(', ')}] must be the task '${task.name}' terms [${task.terms.join(', ')}] in the same order`);
  for (const t of task.terms)
    if ((RESERVED_METRICS as readonly string[]).includes(t)) throw new Error(`task '${task.name}': a loss term may not be named '${t}' (the trainer logs a metric of that name)`);
  const steps = integer(c.steps, 'steps', 1);
  const batchSize = integer(c.batchSize, 'batchSize', 1);
  if (typeof c.seed !== 'number' || !Number.isInteger(c.seed)) throw new Error(`train config: seed must be an integer, got ${String(c.seed)}`);
  const conditioned = c.conditioned ?? c.mode === 'yoto';
  if (conditioned && space.conditionDim < 1) throw new Error('train config: a conditioned model needs a space with at least one conditioned term');
  let lambda: number[] | null = null;
  if (c.mode === 'fixed') {
    if (c.lambda === undefined) throw new Error("train config: mode 'fixed' needs lambda (the constant λ vector)");
    lambda = resolveLambda(task, space, c.lambda);
  } else if (c.lambda !== undefined) throw new Error("train config: lambda is only used in mode 'fixed'; mode 'yoto' samples λ from the space");
  if (typeof c.optimizer !== 'object' || c.optimizer === null) throw new Error('train config: optimizer must be { lr, beta1?, beta2?, epsilon? }');
  const optimizer = resolveAdamConfig(c.optimizer);
  const schedule = c.schedule ?? { kind: 'constant' };
  validateSchedule(schedule, optimizer.lr);
  const clip = c.clipGradNorm ?? null;
  if (clip !== null && !(Number.isFinite(clip) && clip > 0)) throw new Error(`train config: clipGradNorm must be a finite number > 0, got ${clip}`);
  const normalizeLossWeights = c.normalizeLossWeights ?? false;
  if (typeof normalizeLossWeights !== 'boolean') throw new Error(`train config: normalizeLossWeights must be true or false, got ${String(normalizeLossWeights)}`);
  const lambdaSampling = c.lambdaSampling ?? 'independent';
  if (!LAMBDA_SAMPLINGS.includes(lambdaSampling))
    throw new Error(`train config: lambdaSampling must be ${LAMBDA_SAMPLINGS.map((x) => `'${x}'`).join(' or ')}, got ${JSON.stringify(lambdaSampling)}`);
  if (lambdaSampling === 'stratified') {
    if (c.mode !== 'yoto') throw new Error("train config: lambdaSampling 'stratified' is only used in mode 'yoto' (a fixed run draws no λ)");
    if (!space.stratifiable) throw new Error(`train config: lambdaSampling 'stratified': ${STRATIFIABLE_RULE}; the space is ${JSON.stringify(space.toJSON())}`);
  }
  let learningRateScales: Record<string, number> | null = null;
  if (c.learningRateScales !== undefined) {
    if (typeof c.learningRateScales !== 'object' || c.learningRateScales === null || Array.isArray(c.learningRateScales))
      throw new Error('train config: learningRateScales must be a record of parameter-name prefix → factor');
    for (const [prefix, f] of Object.entries(c.learningRateScales)) {
      if (prefix === '') throw new Error('train config: learningRateScales: a scope prefix must be non-empty');
      if (typeof f !== 'number' || !Number.isFinite(f) || f <= 0) throw new Error(`train config: learningRateScales['${prefix}'] must be a finite number > 0, got ${String(f)}`);
    }
    learningRateScales = { ...c.learningRateScales };
  }
  const logEvery = integer(c.logEvery ?? 100, 'logEvery', 1);
  let checkpoint: ResolvedTrainConfig['checkpoint'] = null;
  if (c.checkpoint) {
    if (typeof c.checkpoint.dir !== 'string' || c.checkpoint.dir === '') throw new Error('train config: checkpoint.dir must be a non-empty path');
    checkpoint = { dir: c.checkpoint.dir, every: integer(c.checkpoint.every, 'checkpoint.every', 1) };
  }
  const resume = c.resume ?? false;
  if (resume === true && !checkpoint) throw new Error('train config: resume: true needs checkpoint.dir (where to look for the checkpoint)');
  if (typeof resume === 'string' && resume === '') throw new Error('train config: resume must be true, false or a checkpoint path');
  return { mode: c.mode, space, lambda, conditioned, steps, batchSize, seed: c.seed, optimizer, schedule, clipGradNorm: clip, normalizeLossWeights, lambdaSampling, learningRateScales, logEvery, checkpoint, resume, taskOptions: c.taskOptions ?? null };
}

function resolveLambda(task: Task, space: CoefficientSpace, l: readonly number[] | Readonly<Record<string, number>>): number[] {
  let v: number[];
  if (Array.isArray(l)) {
    if (l.length !== task.terms.length)
      throw new Error(`train config: lambda has ${l.length} values; task '${task.name}' has ${task.terms.length} terms (${task.terms.join(', ')})`);
    v = [...(l as readonly number[])];
  } else {
    const rec = l as Readonly<Record<string, number>>;
    const fill = (space as { fromRecord?: (r: Record<string, number>) => number[] }).fromRecord;
    if (fill) v = fill.call(space, { ...rec });
    else {
      for (const k of Object.keys(rec)) if (!task.terms.includes(k)) throw new Error(`train config: lambda sets unknown term '${k}' (terms: ${task.terms.join(', ')})`);
      v = task.terms.map((t) => {
        if (!(t in rec)) throw new Error(`train config: lambda does not set term '${t}'`);
        return rec[t];
      });
    }
  }
  v.forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) throw new Error(`train config: lambda of term '${task.terms[i]}' must be a finite number ≥ 0, got ${String(x)}`);
  });
  return v;
}

/**
 * The fields that decide a run's trajectory, as JSON. A checkpoint stores it and resuming compares it,
 * so a run is never continued under a different configuration; logging and checkpoint cadence may change.
 */
export function trajectoryConfig(task: Task, c: ResolvedTrainConfig): Record<string, unknown> {
  return {
    task: task.name,
    taskOptions: c.taskOptions,
    terms: [...task.terms],
    mode: c.mode,
    conditioned: c.conditioned,
    lambda: c.lambda,
    space: c.space.toJSON(),
    steps: c.steps,
    batchSize: c.batchSize,
    seed: c.seed,
    optimizer: { ...c.optimizer },
    schedule: { ...c.schedule },
    clipGradNorm: c.clipGradNorm,
    ...laterOptions(c),
  };
}

/**
 * The training options added after the first checkpoints were written, each only when set away from
 * its default: a checkpoint written before an option existed lacks its key, as does the trajectory of
 * a run that leaves it at the default, so such checkpoints still resume. An option added later goes
 * here (and into the trajectory, hence the run's params, with it).
 */
function laterOptions(c: ResolvedTrainConfig): Record<string, unknown> {
  return {
    ...(c.normalizeLossWeights ? { normalizeLossWeights: true } : {}),
    ...(c.lambdaSampling !== 'independent' ? { lambdaSampling: c.lambdaSampling } : {}),
    ...(c.learningRateScales ? { learningRateScales: { ...c.learningRateScales } } : {}),
  };
}

/** The factor of the longest prefix of `name` in `scales`, 1 when none matches. */
export function learningRateScaleOf(scales: Readonly<Record<string, number>>, name: string): number {
  let best = '';
  for (const prefix of Object.keys(scales)) if (name.startsWith(prefix) && prefix.length > best.length) best = prefix;
  return best === '' ? 1 : scales[best];
}

/** Human-readable differences between two trajectory configs (empty when equal). */
export function diffConfigs(saved: Record<string, unknown>, current: Record<string, unknown>): string[] {
  const keys = [...new Set([...Object.keys(saved), ...Object.keys(current)])];
  return keys
    .filter((k) => canonical(saved[k]) !== canonical(current[k]))
    .map((k) => `${k} (checkpoint ${short(saved[k])}, now ${short(current[k])})`);
}

function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as object).sort(([a], [b]) => (a < b ? -1 : 1))) : x,
  ) ?? 'undefined';
}

function short(v: unknown): string {
  const s = canonical(v);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}
