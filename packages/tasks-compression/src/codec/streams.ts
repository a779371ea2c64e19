import { RansError } from '../coder/rans.js';
import { BitstreamError } from '../bitstream/format.js';

/** What an architecture's encoder produces from one padded image. */
export interface EncodedStreams {
  /** The latents' rANS stream. */
  payload: Uint8Array;
  /** The side-information stream (empty when the architecture has none). */
  side: Uint8Array;
  /** The model's estimate −Σ log2 p of both streams, in bits. */
  estimatedBits: number;
}

/** Throws when a latent is not finite (only broken weights produce one); the symbols as integers otherwise. */
export function integerSymbols(symbols: ArrayLike<number>, lambda: number): Int32Array {
  for (let i = 0; i < symbols.length; i++)
    if (!Number.isFinite(symbols[i])) throw new Error(`the model produced a non-finite latent (${symbols[i]}) at λ = ${lambda}; its weights are broken (diverged training?)`);
  return Int32Array.from(symbols);
}

/** Table index per value of a channel-last tensor: the value's channel. */
export function channelIndexes(count: number, channels: number): Uint16Array {
  const idx = new Uint16Array(count);
  for (let i = 0; i < count; i++) idx[i] = i % channels;
  return idx;
}

/** Runs an entropy decoder, turning a RansError (a damaged stream) into the file's 'corrupt-payload' error naming `what`. */
export function decodeStream<T>(what: string, decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    if (err instanceof RansError) throw new BitstreamError('corrupt-payload', `bitstream ${what} cannot be decoded: ${err.message}`);
    throw err;
  }
}
