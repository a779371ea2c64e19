import * as tf from '@tensorflow/tfjs';
import { decodeValues, encodeValues } from '../coder/symbols.js';
import type { CodingModel } from '../entropy/density.js';
import type { FactorizedPrior } from '../model/factorized-prior.js';
import { channelIndexes, decodeStream, type EncodedStreams, integerSymbols } from './streams.js';

/** The factorized prior's one stream: every latent under its channel's table. */
export function encodeFactorized(model: FactorizedPrior, x: tf.Tensor4D, lambda: number, coding: CodingModel): EncodedStreams {
  const out = model.encoderForward(x, lambda, coding);
  const symbols = out.symbols.dataSync();
  const estimatedBits = out.bits.dataSync()[0];
  tf.dispose([out.y, out.symbols, out.yHat, out.bits]);
  const values = integerSymbols(symbols, lambda);
  return { payload: encodeValues(values, channelIndexes(values.length, model.config.M), coding.tables), side: new Uint8Array(0), estimatedBits };
}

/** Inverse of encodeFactorized for a latent grid h × w: the padded reconstruction [1, 16h, 16w, 3]. */
export function decodeFactorized(model: FactorizedPrior, payload: Uint8Array, h: number, w: number, lambda: number, coding: CodingModel): tf.Tensor4D {
  const M = model.config.M;
  const values = decodeStream('payload', () => decodeValues(payload, channelIndexes(h * w * M, M), coding.tables));
  const symbols = tf.tensor4d(Float32Array.from(values), [1, h, w, M]);
  const xHat = model.decodeSymbols(symbols, lambda, coding);
  symbols.dispose();
  return xHat;
}
