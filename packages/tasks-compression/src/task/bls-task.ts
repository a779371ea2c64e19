import * as tf from '@tensorflow/tfjs';
import { decodeImageU8, type EvaluateOptions, type EvaluationPoint, findDataset, listImageFiles, requireDataset, Rng, type TrainBatchOptions } from '@yoto/core';
import { codecContext } from '../codec/codec.js';
import { centreCrop, type ImageU8 } from '../codec/image.js';
import { roundTrip } from '../codec/round-trip.js';
import { MS_SSIM_MIN_SIZE } from '../metrics/ms-ssim.js';
import { bsdsTrainFolders, ImageSet, randomCrops, stepSeed } from '../data/images.js';
import type { CompressionModel } from '../model/compression-model.js';
import { DISTORTION, RATE } from '../model/factorized-prior.js';
import { BlsFactorizedDefinition, type CompressionBatch, TASK_NAME } from './bls-definition.js';

export { ARCHITECTURES, TASK_NAME, DEFAULT_LAMBDA_RANGE, type BlsTaskOptions, type CompressionBatch } from './bls-definition.js';

/**
 * The 'bls-factorized' task in Node: the model side (BlsFactorizedDefinition: options, space, model,
 * loss) with its images read from disk — random BSDS500 crops to train on, Kodak to evaluate on.
 * Evaluation codes every held-out image to a real bitstream and decodes it.
 */
export class BlsFactorizedTask extends BlsFactorizedDefinition {
  private train: ImageSet | null = null;
  private evalFiles: string[] | null = null;
  private readonly evalCache = new Map<string, Promise<ImageU8>>();

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

  override trainBatch(options: TrainBatchOptions): CompressionBatch {
    const { step, batchSize, seed } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`${TASK_NAME}: batchSize must be a positive integer, got ${batchSize}`);
    if (!Number.isInteger(step) || step < 0) throw new Error(`${TASK_NAME}: step must be a non-negative integer, got ${step}`);
    const rng = new Rng(stepSeed(seed, step));
    const s = this.cropSize;
    const pixels = randomCrops(this.trainingImages(), batchSize, s, rng);
    const noiseSeed = rng.nextUint32();
    return { size: batchSize, tensors: { x: tf.tensor4d(pixels, [batchSize, s, s, 3]) }, noiseSeed };
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
  override async evaluate(model: CompressionModel, { lambda }: EvaluationPoint, options: EvaluateOptions = {}): Promise<Record<string, number>> {
    if (lambda.length !== this.terms.length) throw new Error(`${TASK_NAME}: λ must have ${this.terms.length} values (${this.terms.join(', ')}), got ${lambda.length}`);
    const lam = lambda[0];
    const rateCoef = lambda[1];
    const images = await this.evaluationImages(options.limit ?? Infinity);
    if (images.length === 0) throw new Error(`${TASK_NAME}: no evaluation images`);
    const ctx = codecContext(model);
    const sums = { bpp: 0, estimated_bpp: 0, psnr: 0, ms_ssim: 0, ms_ssim_db: 0, distortion: 0 };
    for (const img of images) {
      const r = roundTrip(model, img, lam, ctx);
      if (r.msSsim === null || r.msSsimDb === null)
        throw new Error(`${TASK_NAME}: an evaluation image is ${img.width}×${img.height}; MS-SSIM's five scales need at least ${MS_SSIM_MIN_SIZE}×${MS_SSIM_MIN_SIZE}`);
      sums.bpp += r.encoded.bpp;
      sums.estimated_bpp += r.encoded.estimatedBits / (img.width * img.height);
      sums.psnr += r.psnr;
      sums.ms_ssim += r.msSsim;
      sums.ms_ssim_db += r.msSsimDb;
      sums.distortion += r.mse;
    }
    const n = images.length;
    const avg = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / n])) as typeof sums;
    return { ...avg, [DISTORTION]: avg.distortion, [RATE]: avg.bpp, loss: lam * avg.distortion + rateCoef * avg.bpp, images: n };
  }
}

/** Whether the default datasets are present (tests skip, naming the dataset, when they are not). */
export function datasetsPresent(root?: string): { bsds500: boolean; kodak: boolean } {
  return { bsds500: findDataset('bsds500', root) !== null, kodak: findDataset('kodak', root) !== null };
}
