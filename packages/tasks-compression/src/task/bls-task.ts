import * as tf from '@tensorflow/tfjs';
import {
  type Batch,
  type BuildOptions,
  type CoefficientSpace,
  decodeImageU8,
  defineSpace,
  type EvaluateOptions,
  type EvaluationPoint,
  findDataset,
  listImageFiles,
  type LossContext,
  type LossTerms,
  requireDataset,
  Rng,
  type Task,
  type TrainBatchOptions,
} from '@yoto/core';
import { codecContext, compressAt, decompress } from '../codec/codec.js';
import { cropImage, type ImageU8 } from '../codec/image.js';
import { bsdsTrainFolders, ImageSet, randomCrops, stepSeed } from '../data/images.js';
import { msSsim, msSsimDb } from '../metrics/ms-ssim.js';
import { mse, psnr } from '../metrics/psnr.js';
import type { CompressionModel } from '../model/compression-model.js';
import type { FactorizedPriorConfig } from '../model/config.js';
import { CONDITIONING_SCOPE, DISTORTION, ENTROPY_SCOPE, FactorizedPrior, RATE } from '../model/factorized-prior.js';
import { ScaleHyperprior } from '../model/scale-hyperprior.js';

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
 * Variable-rate learned image compression: per example, distortion = 255²·MSE (RGB in [0, 1]) and
 * rate = bits per pixel; loss λ·distortion + 1·rate with λ ~ LogUniform[0.0018, 0.18].
 * Evaluation codes every held-out image to a real bitstream and decodes it.
 */
export class BlsFactorizedTask implements Task<CompressionModel> {
  readonly name = TASK_NAME;
  readonly terms = [DISTORTION, RATE] as const;
  readonly cropSize: number;
  private readonly options: BlsTaskOptions;
  private train: ImageSet | null = null;
  private evalFiles: string[] | null = null;
  private readonly evalCache = new Map<string, Promise<ImageU8>>();

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

  /** The training images (decoded on first use; `prepare()` decodes them ahead, in process). */
  trainingImages(): ImageSet {
    if (!this.train) {
      const folders = this.options.trainFolders ?? bsdsTrainFolders(requireDataset('bsds500', this.options.dataRoot));
      this.train = ImageSet.fromFolders('bsds500 train+test', folders);
    }
    return this.train;
  }

  /** Decodes the training images now (otherwise the first trainBatch does it, in a child process). */
  async prepare(): Promise<void> {
    await this.trainingImages().load();
  }

  trainBatch(options: TrainBatchOptions): CompressionBatch {
    const { step, batchSize, seed } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`${TASK_NAME}: batchSize must be a positive integer, got ${batchSize}`);
    if (!Number.isInteger(step) || step < 0) throw new Error(`${TASK_NAME}: step must be a non-negative integer, got ${step}`);
    const rng = new Rng(stepSeed(seed, step));
    const s = this.cropSize;
    const pixels = randomCrops(this.trainingImages(), batchSize, s, rng);
    const noiseSeed = rng.nextUint32();
    return { size: batchSize, tensors: { x: tf.tensor4d(pixels, [batchSize, s, s, 3]) }, noiseSeed };
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

  /** The first `limit` evaluation images (Kodak by default, in file order), each decoded once. */
  async evaluationImages(limit = Infinity): Promise<ImageU8[]> {
    if (!this.evalFiles) {
      const folder = this.options.evalFolder ?? requireDataset('kodak', this.options.dataRoot);
      const files = listImageFiles(folder);
      if (files.length === 0) throw new Error(`${TASK_NAME}: evaluation folder ${folder} holds no PNG/JPEG images`);
      this.evalFiles = files;
    }
    const wanted = this.evalFiles.slice(0, limit);
    return Promise.all(
      wanted.map((file) => {
        let p = this.evalCache.get(file);
        if (!p) {
          p = decodeImageU8(file).then((img) => centreCrop({ width: img.width, height: img.height, data: img.data }, this.options.evalCrop ?? 0));
          p.catch(() => this.evalCache.delete(file));
          this.evalCache.set(file, p);
        }
        return p;
      }),
    );
  }

  /**
   * Codes each evaluation image at λ to a real bitstream and decodes it. Metrics are averaged over
   * images: bpp of the file, PSNR (RGB, 0–255), MS-SSIM (and in dB), the loss terms measured on the
   * decoded 8-bit image, the loss, and the model's estimated bpp for comparison.
   */
  async evaluate(model: CompressionModel, { lambda }: EvaluationPoint, options: EvaluateOptions = {}): Promise<Record<string, number>> {
    if (lambda.length !== this.terms.length) throw new Error(`${TASK_NAME}: λ must have ${this.terms.length} values (${this.terms.join(', ')}), got ${lambda.length}`);
    const lam = lambda[0];
    const rateCoef = lambda[1];
    const images = await this.evaluationImages(options.limit ?? Infinity);
    if (images.length === 0) throw new Error(`${TASK_NAME}: no evaluation images`);
    const ctx = codecContext(model);
    const sums = { bpp: 0, estimated_bpp: 0, psnr: 0, ms_ssim: 0, ms_ssim_db: 0, distortion: 0 };
    for (const img of images) {
      const enc = compressAt(model, img, lam, ctx);
      const dec = decompress(model, enc.bytes, {}, ctx).image;
      const pixels = img.width * img.height;
      const e = mse(img.data, dec.data);
      const ms = msSsim(img.data, dec.data, img.width, img.height);
      sums.bpp += enc.bpp;
      sums.estimated_bpp += enc.estimatedBits / pixels;
      sums.psnr += psnr(img.data, dec.data);
      sums.ms_ssim += ms;
      sums.ms_ssim_db += msSsimDb(ms);
      sums.distortion += e;
    }
    const n = images.length;
    const avg = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / n])) as typeof sums;
    return { ...avg, [DISTORTION]: avg.distortion, [RATE]: avg.bpp, loss: lam * avg.distortion + rateCoef * avg.bpp, images: n };
  }
}

/** The centre size×size window (clamped to the image); the image itself for size 0. */
function centreCrop(img: ImageU8, size: number): ImageU8 {
  if (size === 0 || (img.width <= size && img.height <= size)) return img;
  const w = Math.min(size, img.width);
  const h = Math.min(size, img.height);
  return cropImage(img, Math.floor((img.width - w) / 2), Math.floor((img.height - h) / 2), w, h);
}

/** Whether the default datasets are present (tests skip, naming the dataset, when they are not). */
export function datasetsPresent(root?: string): { bsds500: boolean; kodak: boolean } {
  return { bsds500: findDataset('bsds500', root) !== null, kodak: findDataset('kodak', root) !== null };
}
