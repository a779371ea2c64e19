import { isAbsolute, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  type Batch,
  type BuildOptions,
  type CoefficientSpace,
  defineSpace,
  type EvaluateOptions,
  type EvaluationPoint,
  listImageFiles,
  type LossContext,
  type LossTerms,
  requireDataset,
  resolveDataRoot,
  Rng,
  type Task,
  type TrainBatchOptions,
} from '@yoto/core';
import { imageSize, loadResized, type PixelsU8 } from './data.js';
import { type LossNetworkSpec, LOSS_NETWORKS } from './loss-network/presets.js';
import { type LossNetwork } from './loss-network/network.js';
import { readLossNetwork } from './loss-network/read.js';
import { optimisePixels, type PixelOptimiseOptions } from './losses/pixel-optimise.js';
import { StyleLoss } from './losses/style-loss.js';
import { DEFAULT_STYLE_NET, type StyleNetConfig } from './model/config.js';
import { buildStyleModel, type StyleModel } from './model/transformer.js';
import { STYLE_TERMS, type StyleSpaceOptions, styleSpaceSpec, type StyleTerm } from './space.js';

export const STYLE_TASK = 'style-transfer';

export interface StyleTaskOptions {
  /** The painting: a file name in the data root's style/styles/, or a path. */
  style?: string;
  /** Data root (default YOTO_DATA, then the per-user cache). */
  dataRoot?: string;
  /** Side of the square training and evaluation images (a multiple of 4; default 64). */
  imageSize?: number;
  /** Longer side the painting is resized to before its Gram matrices are taken (default 2·imageSize). */
  styleSize?: number;
  /** Every n-th content photo (sorted by name) is held out for evaluation (default 10). */
  holdOutEvery?: number;
  /** Use at most this many training photos (0 = all). */
  trainLimit?: number;
  /** 'mobilenet' (default), 'darknet', or a network given by path and layer names. */
  lossNetwork?: string | LossNetworkSpec;
  /** Softmax-transform the style features before their Gram matrices (Wang et al. 2021; default true). */
  softmax?: boolean;
  softmaxTemperature?: number;
  /** Training photos whose term magnitudes set the normalisers (default 8). */
  calibrationImages?: number;
  network?: Partial<StyleNetConfig>;
  space?: StyleSpaceOptions;
}

/** Names of the held-out and training photos (every n-th file, sorted by name, is held out). */
export function splitContent(files: readonly string[], every: number): { train: string[]; heldOut: string[] } {
  if (!Number.isInteger(every) || every < 2) throw new Error(`style task: holdOutEvery must be an integer ≥ 2, got ${every}`);
  return { train: files.filter((_, i) => i % every !== 0), heldOut: files.filter((_, i) => i % every === 0) };
}

/**
 * Adjustable style transfer (Babaeizadeh & Ghiasi, ICLR 2020) for one painting: per example, the
 * content term and four style terms, each divided by a fixed normaliser (see StyleLoss), weighted by
 * five coefficients. Data, painting and loss network are loaded by `prepare()` (the trainer awaits
 * it; `evaluate` calls it itself).
 */
export class StyleTask implements Task<StyleModel> {
  readonly name = STYLE_TASK;
  readonly terms = STYLE_TERMS;
  readonly imageSize: number;
  readonly options: Readonly<StyleTaskOptions>;
  private readonly network: StyleNetConfig;
  private prepared: Promise<void> | null = null;
  private train: PixelsU8[] = [];
  private heldOut: PixelsU8[] = [];
  private loss: StyleLoss | null = null;

  constructor(options: StyleTaskOptions = {}) {
    this.options = Object.freeze({ ...options });
    this.imageSize = options.imageSize ?? 64;
    if (!Number.isInteger(this.imageSize) || this.imageSize < 16 || this.imageSize % 4 !== 0)
      throw new Error(`style task: imageSize must be a multiple of 4, at least 16, got ${this.imageSize}`);
    this.network = { ...DEFAULT_STYLE_NET, widths: [...DEFAULT_STYLE_NET.widths], ...(options.network ?? {}) } as StyleNetConfig;
  }

  defaultSpace(): CoefficientSpace {
    return defineSpace(styleSpaceSpec(this.options.space));
  }

  buildModel(o: BuildOptions): StyleModel {
    const terms = o.space.terms;
    if (terms.length !== STYLE_TERMS.length || STYLE_TERMS.some((t, i) => terms[i] !== t))
      throw new Error(`the style task's terms are [${STYLE_TERMS.join(', ')}], but the coefficient space has [${terms.join(', ')}]`);
    return buildStyleModel(this.network, { conditioned: o.conditioned, space: o.space, seed: o.seed });
  }

  /** The painting's file. */
  stylePath(): string {
    const s = this.options.style ?? '01_vangogh_starry_night.jpg';
    return isAbsolute(s) || s.includes('/') ? s : join(requireDataset('style', this.options.dataRoot), 'styles', s);
  }

  /** The loss network spec (a preset resolved against the data root, or the one given). */
  lossNetworkSpec(): LossNetworkSpec {
    const n = this.options.lossNetwork ?? 'mobilenet';
    const spec = typeof n === 'string' ? LOSS_NETWORKS[n] : n;
    if (!spec) throw new Error(`style task: unknown loss network '${String(n)}'; known: ${Object.keys(LOSS_NETWORKS).join(', ')}, or { path, input, content, style }`);
    return { ...spec, path: isAbsolute(spec.path) ? spec.path : join(resolveDataRoot(this.options.dataRoot), spec.path) };
  }

  /** Loads the photos, the painting and the loss network, and calibrates the normalisers (once). */
  prepare(): Promise<void> {
    this.prepared ??= this.load().catch((e) => {
      this.prepared = null;
      throw e;
    });
    return this.prepared;
  }

  private async load(): Promise<void> {
    const s = this.imageSize;
    // The painting and the network first: a wrong name fails before 218 photos are decoded.
    const painting = await loadPainting(this.stylePath(), this.options.styleSize ?? 2 * s);
    const spec = this.lossNetworkSpec();
    const net: LossNetwork = readLossNetwork(spec.path, [spec.content, ...spec.style], spec.input);
    const folder = join(requireDataset('style', this.options.dataRoot), 'content_coco');
    const split = splitContent(listImageFiles(folder), this.options.holdOutEvery ?? 10);
    const limit = this.options.trainLimit ?? 0;
    const trainFiles = limit > 0 ? split.train.slice(0, limit) : split.train;
    this.train = await Promise.all(trainFiles.map((f) => loadResized(f, s, s)));
    this.heldOut = await Promise.all(split.heldOut.map((f) => loadResized(f, s, s)));
    const calibration = this.train.slice(0, this.options.calibrationImages ?? 8);
    this.loss?.dispose();
    const [p, c] = [toTensor([painting]), toTensor(calibration)];
    try {
      this.loss = StyleLoss.create(net, spec, p, c, { softmax: this.options.softmax ?? true, temperature: this.options.softmaxTemperature ?? 1 });
    } finally {
      tf.dispose([p, c]);
    }
  }

  private ready(): StyleLoss {
    if (!this.loss) throw new Error(`style task: call prepare() (and await it) before computing losses`);
    return this.loss;
  }

  get trainSize(): number {
    return this.train.length;
  }

  get heldOutSize(): number {
    return this.heldOut.length;
  }

  trainBatch({ step, batchSize, seed }: TrainBatchOptions): Batch {
    if (!Number.isInteger(step) || step < 0) throw new Error(`style task: step must be an integer ≥ 0, got ${step}`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`style task: batchSize must be an integer ≥ 1, got ${batchSize}`);
    this.ready();
    const n = this.train.length;
    const picked: PixelsU8[] = [];
    for (let j = 0; j < batchSize; j++) {
      // Example g of an endless stream of epochs, each a permutation drawn from (seed, epoch) alone.
      const g = step * batchSize + j;
      const epoch = Math.floor(g / n);
      picked.push(this.train[this.permutation(seed, epoch)[g - epoch * n]]);
    }
    return { size: batchSize, tensors: { x: toTensor(picked) } };
  }

  private perm: { key: string; p: Uint32Array } | null = null;
  private permutation(seed: number, epoch: number): Uint32Array {
    const key = `${seed}/${epoch}`;
    if (this.perm?.key !== key) this.perm = { key, p: new Rng((seed ^ Math.imul(epoch + 1, 0x9e3779b9)) >>> 0).permutation(this.train.length) };
    return this.perm.p;
  }

  lossTerms(model: StyleModel, batch: Batch, ctx: LossContext): LossTerms {
    const x = batch.tensors.x as tf.Tensor4D | undefined;
    if (!x || x.rank !== 4 || x.shape[3] !== 3) throw new Error(`style task: the batch needs 'x' of shape [batch, height, width, 3], got ${x ? `[${x.shape.join(', ')}]` : 'none'}`);
    const loss = this.ready();
    return tf.tidy(() => loss.terms(model.stylize(x, model.norms(ctx.condition)), x) as unknown as tf.TensorContainer) as unknown as LossTerms;
  }

  /**
   * What this task's loss asks for at λ, with no transformer network: the photos' pixels optimised
   * directly (see `optimisePixels`). Compares loss choices (network, softmax) on the same photos.
   */
  async optimisePixels(photo: tf.Tensor4D, lambda: Readonly<Record<StyleTerm, number>>, o?: PixelOptimiseOptions): Promise<{ images: tf.Tensor4D; loss: number }> {
    await this.prepare();
    return optimisePixels(this.ready(), photo, lambda, o);
  }

  /** The held-out photos [start, start+n) as [n, s, s, 3] in [0, 1]. */
  async heldOutImages(n: number, start = 0): Promise<tf.Tensor4D> {
    await this.prepare();
    if (!Number.isInteger(n) || n < 1 || start < 0 || start + n > this.heldOut.length) throw new Error(`style task: held-out images [${start}, ${start + n}) are outside the ${this.heldOut.length} held out`);
    return toTensor(this.heldOut.slice(start, start + n));
  }

  /**
   * Each term, the λ-weighted loss and the unnormalised terms, averaged over the held-out photos,
   * with the model conditioned on λ (a baseline ignores λ: it is evaluated at its own setting).
   */
  async evaluate(model: StyleModel, { lambda, condition }: EvaluationPoint, o: EvaluateOptions = {}): Promise<Record<string, number>> {
    if (lambda.length !== STYLE_TERMS.length || lambda.some((v) => !Number.isFinite(v)))
      throw new Error(`style task: λ must be ${STYLE_TERMS.length} finite numbers (${STYLE_TERMS.join(', ')}), got [${lambda.join(', ')}]`);
    if (model.conditioned && !condition) throw new Error("style task: a conditioned model needs the point's condition (use core's evaluateAt)");
    await this.prepare();
    const loss = this.ready();
    const n = Math.min(this.heldOut.length, o.limit && o.limit > 0 ? o.limit : Infinity);
    const bs = o.batchSize ?? 8;
    const sums = new Float64Array(STYLE_TERMS.length);
    for (let start = 0; start < n; start += bs) {
      const m = Math.min(bs, n - start);
      const x = await this.heldOutImages(m, start);
      const totals = tf.tidy(() => {
        // The point's condition on every row of the batch.
        const cond = model.conditioned ? (tf.tile(condition!, [m, 1]) as tf.Tensor2D) : null;
        const t = loss.terms(model.stylize(x, model.norms(cond)), x);
        return tf.stack(STYLE_TERMS.map((k) => tf.sum(t[k])));
      });
      const v = await totals.data();
      tf.dispose([x, totals]);
      v.forEach((s, i) => (sums[i] += s));
    }
    const out: Record<string, number> = {};
    let weighted = 0;
    STYLE_TERMS.forEach((t, i) => {
      out[t] = sums[i] / n;
      weighted += lambda[i] * out[t];
      out[`${t}_raw`] = out[t] * loss.normalisers[t];
    });
    out.weighted_loss = weighted;
    out.style = STYLE_TERMS.slice(1).reduce((a, t) => a + out[t], 0);
    out.images = n;
    return out;
  }

  dispose(): void {
    this.loss?.dispose();
    this.loss = null;
    this.prepared = null;
  }
}

async function loadPainting(file: string, longer: number): Promise<PixelsU8> {
  const { width, height } = await imageSize(file);
  if (!(width > 0 && height > 0)) throw new Error(`cannot read image ${file}: no size`);
  const scale = longer / Math.max(width, height);
  // Multiples of 4 keep the loss network's strides exact.
  const w = Math.max(16, Math.round((width * scale) / 4) * 4);
  const h = Math.max(16, Math.round((height * scale) / 4) * 4);
  return loadResized(file, w, h);
}

/** Same-size images → [n, h, w, 3] in [0, 1]. */
export function toTensor(images: readonly PixelsU8[]): tf.Tensor4D {
  const { width, height } = images[0];
  const per = width * height * 3;
  const out = new Float32Array(images.length * per);
  images.forEach((img, i) => {
    if (img.width !== width || img.height !== height) throw new Error(`style task: images differ in size (${img.source})`);
    for (let k = 0; k < per; k++) out[i * per + k] = img.data[k] / 255;
  });
  return tf.tensor4d(out, [images.length, height, width, 3]);
}
