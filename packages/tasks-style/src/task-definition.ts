import * as tf from '@tensorflow/tfjs';
import {
  type Batch,
  type BuildOptions,
  type CoefficientSpace,
  defineSpace,
  type EvaluateOptions,
  type EvaluationPoint,
  type LossContext,
  type LossTerms,
  Rng,
  type Task,
  type TrainBatchOptions,
} from '@yoto/core';
import { type LossNetwork } from './loss-network/network.js';
import type { LossNetworkSpec } from './loss-network/presets.js';
import { optimisePixels, type PixelOptimiseOptions } from './losses/pixel-optimise.js';
import { StyleLoss } from './losses/style-loss.js';
import { DEFAULT_STYLE_NET, type StyleNetConfig } from './model/config.js';
import { buildStyleModel, type StyleModel } from './model/transformer.js';
import { type PixelsU8, toTensor } from './pixels.js';
import { STYLE_TERMS, type StyleSpaceOptions, styleSpaceSpec, type StyleTerm } from './space.js';

// The task without IO: model, space, loss terms and evaluation on materials (photos, painting, loss
// network) handed to it. Node's StyleTask (task.ts) loads them from the data root; the explorer page
// registers this definition and gives it what it fetched from its server, so its live estimate is
// this very evaluation.

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

/** What the loss and the batches are made of, decoded: Node reads it from files, the page fetches it. */
export interface StyleMaterials {
  /** The painting at the size its Gram matrices are taken (see `StyleTask.stylePath`, `styleSize`). */
  painting: PixelsU8;
  /** Training photos at imageSize², in order; the first `calibrationImages` set the normalisers. */
  train: PixelsU8[];
  /** Held-out photos at imageSize², in order (evaluation takes the first `limit`). */
  heldOut: PixelsU8[];
  /** The loss network, built for the content layer and the four style layers (owned by the task from here). */
  network: LossNetwork;
  layers: { content: string; style: readonly string[] };
}

/**
 * Adjustable style transfer (Babaeizadeh & Ghiasi, ICLR 2020) for one painting: per example, the
 * content term and four style terms, each divided by a fixed normaliser (see StyleLoss), weighted by
 * five coefficients. `prepare()` loads the materials through `loadMaterials` (the Node task reads
 * files; this definition has none to read) unless `use()` was given them.
 */
export class StyleTaskDefinition implements Task<StyleModel> {
  readonly name = STYLE_TASK;
  readonly terms = STYLE_TERMS;
  readonly imageSize: number;
  /** Training photos whose term magnitudes set the normalisers (the first ones, in order). */
  readonly calibrationImages: number;
  readonly options: Readonly<StyleTaskOptions>;
  private readonly network: StyleNetConfig;
  private prepared: Promise<void> | null = null;
  private train: PixelsU8[] = [];
  private heldOut: PixelsU8[] = [];
  private loss: StyleLoss | null = null;

  constructor(options: StyleTaskOptions = {}) {
    this.options = Object.freeze({ ...options });
    this.imageSize = options.imageSize ?? 64;
    this.calibrationImages = options.calibrationImages ?? 8;
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

  /** Where the materials come from; the Node task reads the data root. */
  protected loadMaterials(): Promise<StyleMaterials> {
    return Promise.reject(new Error('style task: this build reads no files (the browser entry); give it its photos, painting and loss network with use()'));
  }

  /** Loads the photos, the painting and the loss network, and calibrates the normalisers (once). */
  prepare(): Promise<void> {
    this.prepared ??= this.loadMaterials()
      .then((m) => this.use(m))
      .catch((e) => {
        this.prepared = null;
        throw e;
      });
    return this.prepared;
  }

  /**
   * Takes materials loaded elsewhere (and ownership of their network): the normalisers are
   * calibrated on the first `calibrationImages` training photos against the painting, as always.
   */
  use(m: StyleMaterials): void {
    if (m.train.length === 0) throw new Error('style task: no training photos to calibrate the normalisers on');
    const calibration = m.train.slice(0, this.calibrationImages);
    const [p, c] = [toTensor([m.painting]), toTensor(calibration)];
    let loss: StyleLoss;
    try {
      loss = StyleLoss.create(m.network, m.layers, p, c, { softmax: this.options.softmax ?? true, temperature: this.options.softmaxTemperature ?? 1 });
    } finally {
      tf.dispose([p, c]);
    }
    this.loss?.dispose();
    this.loss = loss;
    this.train = m.train;
    this.heldOut = m.heldOut;
    this.prepared = Promise.resolve();
  }

  private ready(): StyleLoss {
    if (!this.loss) throw new Error(`style task: call prepare() (and await it) before computing losses`);
    return this.loss;
  }

  /** The normalisers of the five terms (after prepare/use). */
  get normalisers(): Readonly<Record<StyleTerm, number>> {
    return this.ready().normalisers;
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
