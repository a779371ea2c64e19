import * as tf from '@tensorflow/tfjs';
import { type Batch, type BuildOptions, type CoefficientSpace, defineSpace, type EvaluateOptions, type EvaluationPoint, type LossContext, type LossTerms, type Task, type TrainBatchOptions } from '@yoto/core';
import type { FactorizedPriorConfig } from '../model/config.js';
import type { CompressionModel } from '../model/compression-model.js';
import { CONDITIONING_SCOPE, DISTORTION, ENTROPY_SCOPE, FactorizedPrior, RATE } from '../model/factorized-prior.js';
import { ScaleHyperprior } from '../model/scale-hyperprior.js';

// The model side of the 'bls-factorized' task: options, space, model and loss, with no image files.
// The browser explorer registers this (it receives its images from the server); Node registers
// BlsFactorizedTask (bls-task.ts), which adds the training and evaluation images read from disk.

export const TASK_NAME = 'bls-factorized';

/** CompressAI's MSE qualities 1–8 span λ ∈ [0.0018, 0.0932]; the benchmark range goes to 0.18. */
export const DEFAULT_LAMBDA_RANGE: readonly [number, number] = [0.0018, 0.18];

/** The model architectures the task builds. */
export const ARCHITECTURES = ['factorized', 'hyperprior'] as const;

export interface BlsTaskOptions {
  /**
   * 'factorized' (absent: Ballé et al.'s factorized prior) or 'hyperprior' (the scale hyperprior,
   * model/scale-hyperprior.ts). Stored with checkpoints, so `loadTrained` rebuilds the right model.
   */
  architecture?: (typeof ARCHITECTURES)[number];
  /** Model shape (N, M, …); see FactorizedPriorConfig (the scale hyperprior has the same keys). */
  config?: Partial<FactorizedPriorConfig>;
  /** Side of the square training crops (default 128). */
  cropSize?: number;
  /** Data root (default: YOTO_DATA, then the per-user cache). */
  dataRoot?: string;
  /** Training image folders (default BSDS500 train/ + test/ under the data root). */
  trainFolders?: string[];
  /** Evaluation image folder (default Kodak under the data root). */
  evalFolder?: string;
  /** λ range of the default space. */
  lambdaRange?: [number, number];
  /**
   * Evaluate on the centre evalCrop×evalCrop window of each evaluation image (whole image when
   * absent or 0), so a quick check codes a few small images instead of full Kodak frames.
   */
  evalCrop?: number;
}

/**
 * Task options that were removed, with what replaced them: options (or a checkpoint's stored ones)
 * that still set them are refused by name rather than silently training something else.
 */
const REMOVED_OPTIONS: Record<string, string> = {
  entropyLearningRateScale: `learning-rate factors are now the trainer's learningRateScales by parameter scope ({ '${ENTROPY_SCOPE}': factor })`,
  conditioningLearningRateScale: `learning-rate factors are now the trainer's learningRateScales by parameter scope ({ '${CONDITIONING_SCOPE}': factor })`,
  conditioningHeadInit: 'zero-initialised FiLM heads were a research option (research/lambda-response.ts --zero-heads zeroes them itself)',
};

/** A training batch: crops, plus the seed of this step's quantization noise. */
export interface CompressionBatch extends Batch {
  readonly noiseSeed: number;
}

/**
 * Variable-rate learned image compression without its images: per example, distortion = 255²·MSE
 * (RGB in [0, 1]) and rate = bits per pixel; loss λ·distortion + 1·rate with λ ~ LogUniform[0.0018,
 * 0.18]. Enough to rebuild a checkpoint's model (core's loadTrained); training and evaluation need
 * the image files, which BlsFactorizedTask reads.
 */
export class BlsFactorizedDefinition implements Task<CompressionModel> {
  readonly name = TASK_NAME;
  readonly terms = [DISTORTION, RATE] as const;
  readonly cropSize: number;
  protected readonly options: BlsTaskOptions;

  constructor(options: BlsTaskOptions = {}) {
    for (const key of Object.keys(options))
      if (key in REMOVED_OPTIONS) throw new Error(`${TASK_NAME}: option '${key}' was removed: ${REMOVED_OPTIONS[key]} (a checkpoint that sets it was written by an older version)`);
    this.options = { ...options };
    this.cropSize = options.cropSize ?? 128;
    if (!Number.isInteger(this.cropSize) || this.cropSize < 16 || this.cropSize % 16 !== 0)
      throw new Error(`${TASK_NAME}: cropSize must be a multiple of 16 (the transform's stride), got ${this.cropSize}`);
    const ec = options.evalCrop ?? 0;
    if (!Number.isInteger(ec) || ec < 0) throw new Error(`${TASK_NAME}: evalCrop must be an integer ≥ 0 (0 = whole images), got ${ec}`);
    if (options.architecture !== undefined && !(ARCHITECTURES as readonly string[]).includes(options.architecture))
      throw new Error(`${TASK_NAME}: architecture must be one of ${ARCHITECTURES.join(', ')}, got ${JSON.stringify(options.architecture)}`);
  }

  defaultSpace(): CoefficientSpace {
    const [low, high] = this.options.lambdaRange ?? DEFAULT_LAMBDA_RANGE;
    // 'range': the knots of the entropy model and Δ(λ) read λ's position in the range off the condition.
    return defineSpace({ terms: [...this.terms], distribution: { kind: 'logUniform', term: DISTORTION, low, high }, encoding: { [DISTORTION]: 'range' } });
  }

  buildModel(options: BuildOptions): CompressionModel {
    const Model = this.options.architecture === 'hyperprior' ? ScaleHyperprior : FactorizedPrior;
    const d = options.space.terms.indexOf(DISTORTION);
    return new Model({
      space: options.space,
      conditioned: options.conditioned,
      seed: options.seed,
      config: this.options.config,
      ...(options.lambda && !options.conditioned && d >= 0 ? { lambda: options.lambda[d] } : {}),
    });
  }

  trainBatch(_options: TrainBatchOptions): CompressionBatch {
    throw new Error(`${TASK_NAME}: this build of the task has no training images (the browser's); train with the Node package`);
  }

  lossTerms(model: CompressionModel, batch: Batch, ctx: LossContext): LossTerms {
    const x = batch.tensors.x as tf.Tensor4D;
    if (!x || x.rank !== 4) throw new Error(`${TASK_NAME}: batch.tensors.x must be [batch, height, width, 3]`);
    const noiseSeed = (batch as Partial<CompressionBatch>).noiseSeed ?? Math.floor(Math.random() * 2 ** 32);
    const out = ctx.training ? model.trainForward(x, ctx.condition, noiseSeed) : model.evalForward(x, ctx.condition);
    return tf.tidy(() => {
      const pixels = x.shape[1] * x.shape[2];
      const distortion = tf.mul(tf.mean(tf.squaredDifference(out.xHat, x), [1, 2, 3]), 255 * 255) as tf.Tensor1D;
      const rate = tf.div(out.bits, pixels) as tf.Tensor1D;
      tf.dispose([out.xHat, out.bits]);
      return { [DISTORTION]: distortion, [RATE]: rate };
    });
  }

  async evaluate(_model: CompressionModel, _point: EvaluationPoint, _options?: EvaluateOptions): Promise<Record<string, number>> {
    throw new Error(`${TASK_NAME}: this build of the task has no evaluation images (the browser's); evaluate with the Node package`);
  }
}
