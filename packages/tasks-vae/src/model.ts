import * as tf from '@tensorflow/tfjs';
import { type CoefficientSpace, ConditioningNetwork, type FilmParams, ParamStore, type TaskModel, conv2d, conv2dTranspose, dense } from '@yoto/core';
import { type VaeModelConfig, validateVaeConfig } from './config.js';

export interface Posterior {
  mean: tf.Tensor2D;
  logvar: tf.Tensor2D;
}

/** FiLM parameters of every conditioned layer for one batch; null for an unconditioned model. */
export type VaeFilms = Record<string, FilmParams> | null;

/**
 * A conditional VAE. In `conditioned` (YOTO) mode a conditioning network maps the encoded β to FiLM
 * parameters applied after each conv block of the encoder and decoder; an unconditioned (baseline)
 * model has the same backbone and variables minus the conditioning network.
 */
export interface VaeModel extends TaskModel {
  readonly config: Readonly<VaeModelConfig>;
  /** The space the model was built for; its `encode` turns λ vectors into conditions. */
  readonly space: CoefficientSpace;
  /** FiLM parameters for a batch of encoded conditions ([batch, conditionDim]). */
  films(condition: tf.Tensor2D | null): VaeFilms;
  encode(x: tf.Tensor4D, films: VaeFilms): Posterior;
  /** Bernoulli logits or Gaussian means, [batch, height, width, channels]. */
  decode(z: tf.Tensor2D, films: VaeFilms): tf.Tensor4D;
  /** The image the decoder predicts: sigmoid(logits) for Bernoulli, the mean for Gaussian. */
  decodeMean(z: tf.Tensor2D, films: VaeFilms): tf.Tensor4D;
  dispose(): void;
}

export function encoderLayerName(i: number): string {
  return `enc${i}`;
}
export function decoderLayerName(i: number): string {
  return `dec${i}`;
}
/** FiLM layer names of the dense layers when `filmDense` is set. */
export const ENCODER_DENSE_FILM = 'enc_dense';
export const DECODER_DENSE_FILM = 'dec_dense';

export function buildVae(config: VaeModelConfig, options: { space: CoefficientSpace; conditioned: boolean; seed: number }): VaeModel {
  const c = validateVaeConfig({ ...config, channels: [...config.channels] });
  const params = new ParamStore(options.seed);
  const k = c.kernelSize;
  const L = c.channels.length;
  const h0 = c.height / 2 ** L;
  const w0 = c.width / 2 ** L;
  const top = c.channels[L - 1];
  const flat = h0 * w0 * top;

  // Definition order fixes the variable names and the init stream, so it must not change.
  const enc = c.channels.map((w, i) => conv2d(params, `encoder/conv${i}`, i === 0 ? c.imageChannels : c.channels[i - 1], { filters: w, kernelSize: k, strides: 2 }));
  const encDense = dense(params, 'encoder/dense', flat, 2 * c.latent);
  const decDense = dense(params, 'decoder/dense', c.latent, flat);
  // Decoder block j maps channels[L-1-j] → channels[L-2-j]; the last maps channels[0] → the image.
  const dec = c.channels.map((_, j) => {
    const from = c.channels[L - 1 - j];
    const to = j === L - 1 ? c.imageChannels : c.channels[L - 2 - j];
    return conv2dTranspose(params, `decoder/convT${j}`, from, { filters: to, kernelSize: k, strides: 2 });
  });
  const filmLayers = [
    ...c.channels.map((w, i) => ({ name: encoderLayerName(i), channels: w })),
    ...c.channels.slice(0, L - 1).reverse().map((w, j) => ({ name: decoderLayerName(j), channels: w })),
    // Appended last so the conv heads keep their variable names and initial values.
    ...(c.filmDense
      ? [
          { name: ENCODER_DENSE_FILM, channels: 2 * c.latent },
          { name: DECODER_DENSE_FILM, channels: top },
        ]
      : []),
  ];
  const conditioning = options.conditioned
    ? new ConditioningNetwork(params, {
        inputDim: options.space.conditionDim,
        layers: filmLayers,
        hidden: c.conditioningHidden,
        multiplier: c.filmMultiplier,
        sharedHidden: c.sharedHidden,
      })
    : null;

  // Conditioned blocks fold the conv bias into the FiLM shift, (conv + b)·s + t = conv·s + (b·s + t):
  // a [batch, channels] product instead of a full-size add and its gradient's reduction.
  const vars = new Map(params.entries());
  const biasOf = (layer: string): tf.Variable => {
    const b = vars.get(`${layer}/bias`);
    if (!b) throw new Error(`VAE: layer ${layer} has no bias variable`);
    return b;
  };
  const kernelOf = (layer: string): tf.Variable => {
    const w = vars.get(`${layer}/kernel`);
    if (!w) throw new Error(`VAE: layer ${layer} has no kernel variable`);
    return w;
  };
  const filmRelu = (y: tf.Tensor4D, bias: tf.Tensor, p: FilmParams): tf.Tensor4D => {
    const [n, , , ch] = y.shape;
    for (const t of [p.scale, p.shift])
      if (t.rank !== 2 || t.shape[1] !== ch || (t.shape[0] !== n && t.shape[0] !== 1))
        throw new Error(`VAE FiLM: scale and shift must be [${n} or 1, ${ch}], got [${p.scale.shape.join(', ')}] and [${p.shift.shape.join(', ')}]`);
    const scale = tf.reshape(p.scale, [p.scale.shape[0], 1, 1, ch]);
    const shift2 = tf.add(tf.mul(p.scale, bias), p.shift);
    const shift = tf.reshape(shift2, [shift2.shape[0], 1, 1, ch]);
    return tf.relu(tf.add(tf.mul(y, scale), shift)) as tf.Tensor4D;
  };
  /** FiLM over the last axis of a [batch, ..., ch] tensor, with [batch or 1, ch] scale and shift. */
  const filmLast = <T extends tf.Tensor>(y: T, p: FilmParams, what: string): T => {
    const ch = y.shape[y.rank - 1];
    const n = y.shape[0];
    for (const t of [p.scale, p.shift])
      if (t.rank !== 2 || t.shape[1] !== ch || (t.shape[0] !== n && t.shape[0] !== 1))
        throw new Error(`VAE FiLM (${what}): scale and shift must be [${n} or 1, ${ch}], got [${p.scale.shape.join(', ')}] and [${p.shift.shape.join(', ')}]`);
    const shape = [p.scale.shape[0], ...Array<number>(y.rank - 2).fill(1), ch];
    return tf.add(tf.mul(y, tf.reshape(p.scale, shape)), tf.reshape(p.shift, shape)) as T;
  };
  const encBlock = (i: number, x: tf.Tensor4D, films: VaeFilms): tf.Tensor4D => {
    if (!films) return tf.relu(enc[i](x));
    const layer = `encoder/conv${i}`;
    return filmRelu(tf.conv2d(x, kernelOf(layer) as tf.Tensor4D, 2, 'same'), biasOf(layer), films[encoderLayerName(i)]);
  };
  const decBlock = (j: number, x: tf.Tensor4D, films: VaeFilms): tf.Tensor4D => {
    if (!films || j === L - 1) {
      const y = dec[j](x);
      return j < L - 1 ? tf.relu(y) : y;
    }
    const layer = `decoder/convT${j}`;
    const w = kernelOf(layer) as tf.Tensor4D;
    const [n, h, wd] = x.shape;
    const y = tf.conv2dTranspose(x, w, [n, h * 2, wd * 2, w.shape[2]], 2, 'same');
    return filmRelu(y, biasOf(layer), films[decoderLayerName(j)]);
  };

  const model: VaeModel = {
    params,
    conditioned: options.conditioned,
    config: Object.freeze(c),
    space: options.space,
    films(condition) {
      if (!conditioning) return null;
      if (!condition) throw new Error('this VAE is conditioned (YOTO): it needs a condition [batch, conditionDim], got null');
      return conditioning.apply(condition);
    },
    encode(x, films) {
      return tf.tidy(() => {
        let hdn = x;
        for (let i = 0; i < L; i++) hdn = encBlock(i, hdn, films);
        let stats = encDense(tf.reshape(hdn, [x.shape[0], flat]) as tf.Tensor2D);
        // No ReLU follows: FiLM here is a β-dependent affine map of each latent's mean and log-variance.
        if (films && c.filmDense) stats = filmLast(stats, films[ENCODER_DENSE_FILM], 'encoder dense');
        const [mean, logvar] = tf.split(stats, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
        return { mean, logvar };
      });
    },
    decode(z, films) {
      return tf.tidy(() => {
        let hdn = tf.reshape(decDense(z), [z.shape[0], h0, w0, top]) as tf.Tensor4D;
        if (films && c.filmDense) hdn = filmLast(hdn, films[DECODER_DENSE_FILM], 'decoder dense');
        hdn = tf.relu(hdn);
        for (let j = 0; j < L; j++) hdn = decBlock(j, hdn, films);
        return hdn;
      });
    },
    decodeMean(z, films) {
      return tf.tidy(() => {
        const out = model.decode(z, films);
        return c.likelihood === 'bernoulli' ? tf.sigmoid(out) : out;
      });
    },
    dispose() {
      params.dispose();
    },
  };
  return model;
}
