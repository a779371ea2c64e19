import * as tf from '@tensorflow/tfjs';
import { decodeValues, encodeValues } from '../coder/symbols.js';
import type { CodingModel } from '../entropy/density.js';
import { defaultGaussianTables, scaleIndexes } from '../entropy/gaussian-conditional.js';
import type { ScaleHyperprior } from '../model/scale-hyperprior.js';
import { channelIndexes, decodeStream, type EncodedStreams, integerSymbols } from './streams.js';

/** The hyper-latent grid for a latent grid h × w: two stride-2 'same' convolutions. */
export function hyperGrid(h: number, w: number): [number, number] {
  return [Math.ceil(h / 4), Math.ceil(w / 4)];
}

/**
 * The scale hyperprior's two streams: the side information (ẑ under the hyper-latents' per-channel
 * tables) and the latents (each ŷ under the Gaussian table of its predicted scale). The decoder
 * rebuilds the scales from ẑ exactly as the encoder computed them, so both pick the same tables.
 */
export function encodeHyperprior(model: ScaleHyperprior, x: tf.Tensor4D, lambda: number, coding: CodingModel): EncodedStreams {
  const out = model.encoderForward(x, lambda, coding);
  const zSymbols = out.zSymbols.dataSync();
  const ySymbols = out.ySymbols.dataSync();
  const scales = out.scales.dataSync();
  const estimatedBits = out.bits.dataSync()[0];
  tf.dispose([out.y, out.ySymbols, out.zSymbols, out.scales, out.bits, out.zBits]);
  const z = integerSymbols(zSymbols, lambda);
  const y = integerSymbols(ySymbols, lambda);
  return {
    side: encodeValues(z, channelIndexes(z.length, model.config.N), coding.tables),
    payload: encodeValues(y, scaleIndexes(scales), defaultGaussianTables()),
    estimatedBits,
  };
}

/** Inverse of encodeHyperprior for a latent grid h × w: the padded reconstruction [1, 16h, 16w, 3]. */
export function decodeHyperprior(model: ScaleHyperprior, payload: Uint8Array, side: Uint8Array, h: number, w: number, lambda: number, coding: CodingModel): tf.Tensor4D {
  const { N, M } = model.config;
  const [hz, wz] = hyperGrid(h, w);
  const z = decodeStream('side information', () => decodeValues(side, channelIndexes(hz * wz * N, N), coding.tables));
  const zSymbols = tf.tensor4d(Float32Array.from(z), [1, hz, wz, N]);
  const scales = model.scalesFromSymbols(zSymbols, lambda, coding, h, w);
  const indexes = scaleIndexes(scales.dataSync());
  tf.dispose([zSymbols, scales]);
  const y = decodeStream('payload', () => decodeValues(payload, indexes, defaultGaussianTables()));
  const ySymbols = tf.tensor4d(Float32Array.from(y), [1, h, w, M]);
  const xHat = model.decodeSymbols(ySymbols, lambda);
  ySymbols.dispose();
  return xHat;
}
