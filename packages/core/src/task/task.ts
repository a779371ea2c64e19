import type * as tf from '@tensorflow/tfjs';
import type { CoefficientSpace } from '../coefficients/space.js';
import type { ParamStore } from '../nn/params.js';

/** Per-example values of every loss term, each of shape [batch]. Never pre-summed. */
export type LossTerms = Record<string, tf.Tensor1D>;

/** One minibatch; the task decides which tensors it holds (e.g. `{ x }` or `{ x, y }`). */
export interface Batch {
  readonly size: number;
  readonly tensors: Readonly<Record<string, tf.Tensor>>;
}

/**
 * A model built by a task. Its variables live in `params` (names are the checkpoint keys; the
 * trainer's per-scope learning-rate factors match their prefixes). A model built for a baseline
 * (`conditioned: false`) has the same backbone and no conditioning network.
 */
export interface TaskModel {
  readonly params: ParamStore;
  readonly conditioned: boolean;
  /** The space the model was built for: it turns λ into the model's condition (`space.condition`). */
  readonly space: CoefficientSpace;
}

export interface BuildOptions {
  space: CoefficientSpace;
  conditioned: boolean;
  seed: number;
  /**
   * A fixed-λ run's λ vector (task-term order); absent for a conditioned model. A task may start
   * parameters that depend on the operating point there (e.g. a baseline's quantization step at the
   * value the conditioned model starts with at that λ). Loading a checkpoint passes the stored λ.
   */
  lambda?: readonly number[];
}

export interface TrainBatchOptions {
  /** Global step (0-based). The batch must be a pure function of (seed, step, batchSize) so that a
   * resumed run sees exactly the data an uninterrupted one would. */
  step: number;
  batchSize: number;
  seed: number;
}

/**
 * λ as a task sees it, in training and in evaluation alike: the raw vectors (to weight and report)
 * and the condition the space made of them (to feed the network).
 */
export interface LossContext {
  training: boolean;
  /** Raw coefficients, [batch, terms.length], one row per example, in the task's term order. */
  lambda: tf.Tensor2D;
  /**
   * The space's condition for those rows, [batch, space.conditionDim] (see CoefficientSpace.condition).
   * Null for an unconditioned (baseline) model.
   */
  condition: tf.Tensor2D | null;
}

/** One evaluation point: the raw λ vector and its condition [1, conditionDim] (null for a baseline). */
export interface EvaluationPoint {
  lambda: readonly number[];
  condition: tf.Tensor2D | null;
}

export interface EvaluateOptions {
  /** Evaluate on at most this many held-out examples (all when absent). */
  limit?: number;
  batchSize?: number;
}

/**
 * The contract between the framework and a task (β-VAE, compression, style transfer). The trainer
 * weights each example's terms by that example's own λ, so `lossTerms` returns per-example values.
 */
export interface Task<M extends TaskModel = TaskModel> {
  readonly name: string;
  /** Loss term names in a fixed order; λ vectors use the same order. */
  readonly terms: readonly string[];
  /** The coefficient space the task is usually trained on. */
  defaultSpace(): CoefficientSpace;
  buildModel(options: BuildOptions): M;
  /**
   * Optional: loads what `trainBatch` and `lossTerms` need (decoded images, a loss network) before
   * the first step; both are synchronous while decoding is not. The trainer awaits it once.
   */
  prepare?(): Promise<void>;
  trainBatch(options: TrainBatchOptions): Batch;
  lossTerms(model: M, batch: Batch, ctx: LossContext): LossTerms;
  /**
   * Held-out metrics of `model` at one point (full λ vector over `terms`, and its condition),
   * averaged over the evaluation split. Includes at least every loss term and the λ-weighted loss.
   * Called through core's `evaluateAt` / `evaluateGrid`, which build the point from λ.
   */
  evaluate(model: M, point: EvaluationPoint, options?: EvaluateOptions): Promise<Record<string, number>>;
}
