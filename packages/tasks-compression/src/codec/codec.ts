import * as tf from '@tensorflow/tfjs';
import { BitstreamError, readBitstream, writeBitstream, type BitstreamHeader } from '../bitstream/format.js';
import type { CodingModel, DensityWeights } from '../entropy/density.js';
import { ARCHITECTURE_NAMES, architectureOf, type CompressionModel } from '../model/compression-model.js';
import { STRIDE } from '../model/config.js';
import { ScaleHyperprior } from '../model/scale-hyperprior.js';
import { decodeFactorized, encodeFactorized } from './factorized-streams.js';
import { modelFingerprint } from './fingerprint.js';
import { decodeHyperprior, encodeHyperprior } from './hyperprior-streams.js';
import { checkImage, type ImageU8, paddingFor, toImage, toPaddedTensor } from './image.js';

/** Either a λ, or a target rate for which λ is searched on the model. */
export type RateControl = { lambda: number } | { targetBpp: number };

export interface CompressResult {
  /** The complete file (header and payload). */
  bytes: Uint8Array;
  lambda: number;
  /** The image's size in pixels (unpadded). */
  width: number;
  height: number;
  /** Bits per pixel of the whole file over the original (unpadded) pixels. */
  bpp: number;
  /** Bytes of the coded latents alone. */
  payloadBytes: number;
  /** Bytes of the side information (the scale hyperprior's hyper-latents; 0 for the factorized prior). */
  sideBytes: number;
  /** The model's estimate −Σ log2 p(ŷ) of the payload, in bits. */
  estimatedBits: number;
}

export interface DecompressResult {
  image: ImageU8;
  header: BitstreamHeader;
}

/** Things computed once per model state and reused across calls (e.g. during a λ search). */
export interface CodecContext {
  fingerprint: string;
  weights: DensityWeights;
  /** The coding model of the last λ coded or decoded: a round trip (the explorer's) builds its tables once. */
  last?: { lambda: number; coding: CodingModel };
}

export function codecContext(model: CompressionModel): CodecContext {
  return { fingerprint: modelFingerprint(model), weights: model.densityWeights() };
}

/** The coding tables at λ, reused when the context's last λ is this one (they are a pure function of the weights and λ). */
function codingAt(model: CompressionModel, ctx: CodecContext, lambda: number): CodingModel {
  if (ctx.last?.lambda !== lambda) ctx.last = { lambda, coding: model.codingModel(lambda, ctx.weights) };
  return ctx.last.coding;
}

/** A λ outside the range the model was trained on (a front end turns it into its own usage message). */
export class LambdaRangeError extends RangeError {
  override readonly name = 'LambdaRangeError';
  readonly code = 'LAMBDA_OUT_OF_RANGE';
  constructor(
    readonly lambda: number,
    readonly low: number,
    readonly high: number,
  ) {
    super(`λ = ${lambda} is outside what this model supports: it ${low === high ? `was trained for λ = ${low} only` : `covers λ in [${low}, ${high}]`}`);
  }
}

/** Checks λ against what the model can do, returning the λ to use. */
export function checkLambda(model: CompressionModel, lambda: number | undefined): number {
  const [lo, hi] = model.lambdaRange;
  if (lambda === undefined) {
    if (lo === hi) return lo;
    throw new Error(`a λ is required: this model covers λ in [${lo}, ${hi}]`);
  }
  if (typeof lambda !== 'number' || !Number.isFinite(lambda) || lambda <= 0) throw new Error(`λ must be a finite number > 0, got ${lambda}`);
  // The conditioning was trained on [lo, hi] only; outside it the network extrapolates and the
  // rate–distortion behaviour is unknown, so refuse rather than silently clamp.
  const tol = 1e-9 * hi;
  if (lambda < lo - tol || lambda > hi + tol) throw new LambdaRangeError(lambda, lo, hi);
  return lambda;
}

/** Compresses at one λ. */
export function compressAt(model: CompressionModel, image: ImageU8, lambda: number, ctx: CodecContext = codecContext(model)): CompressResult {
  checkImage(image);
  const lam = checkLambda(model, lambda);
  const coding = codingAt(model, ctx, lam);
  const x = toPaddedTensor(image);
  let coded;
  try {
    coded = model instanceof ScaleHyperprior ? encodeHyperprior(model, x, lam, coding) : encodeFactorized(model, x, lam, coding);
  } finally {
    x.dispose();
  }
  const { padRight, padBottom } = paddingFor(image.width, image.height);
  const architecture = architectureOf(model);
  const bytes = writeBitstream(
    {
      fingerprint: ctx.fingerprint,
      lambda: lam,
      width: image.width,
      height: image.height,
      padRight,
      padBottom,
      channels: 3,
      latentChannels: model.config.M,
      architecture,
      hyperChannels: architecture === 'hyperprior' ? model.config.N : 0,
    },
    coded.payload,
    coded.side,
  );
  const bpp = (bytes.length * 8) / (image.width * image.height);
  return { bytes, lambda: lam, width: image.width, height: image.height, bpp, payloadBytes: coded.payload.length, sideBytes: coded.side.length, estimatedBits: coded.estimatedBits };
}

export interface TargetSearchOptions {
  /** Bisection steps on log λ (default 14: the bracket ends within 0.03% of each other over a 100× range). */
  iterations?: number;
}

export interface TargetSearchResult extends CompressResult {
  targetBpp: number;
  /** Whether the returned file meets the target (false when even the lowest λ exceeds it). */
  reached: boolean;
  /** (λ, bpp) of every compression tried, in order. */
  probes: { lambda: number; bpp: number }[];
}

/**
 * The largest λ (best quality) whose file does not exceed `targetBpp`, by bisection on log λ over
 * the model's range, measuring each probe with the real coder. Rate increases with λ (monotone in
 * practice; a small wiggle only moves the result within the bracket). A fixed-λ model has nothing
 * to search and is refused.
 */
export function compressToBpp(model: CompressionModel, image: ImageU8, targetBpp: number, options: TargetSearchOptions = {}, ctx: CodecContext = codecContext(model)): TargetSearchResult {
  if (!(typeof targetBpp === 'number' && Number.isFinite(targetBpp) && targetBpp > 0)) throw new Error(`target bpp must be a finite number > 0, got ${targetBpp}`);
  const [lo, hi] = model.lambdaRange;
  if (!model.conditioned || !(hi > lo))
    throw new Error('--target-bpp needs a λ-conditioned (YOTO) model: this model was trained for a single λ, so its rate cannot be moved');
  const iterations = options.iterations ?? 14;
  const probes: { lambda: number; bpp: number }[] = [];
  const at = (lambda: number): CompressResult => {
    const r = compressAt(model, image, lambda, ctx);
    probes.push({ lambda, bpp: r.bpp });
    return r;
  };
  const done = (r: CompressResult, reached: boolean): TargetSearchResult => ({ ...r, targetBpp, reached, probes });
  const top = at(hi);
  if (top.bpp <= targetBpp) return done(top, true);
  let best = at(lo);
  if (best.bpp > targetBpp) return done(best, false);
  let a = Math.log(lo);
  let b = Math.log(hi);
  for (let k = 0; k < iterations; k++) {
    const mid = Math.exp(0.5 * (a + b));
    const r = at(mid);
    if (r.bpp <= targetBpp) {
      a = Math.log(mid);
      best = r;
    } else b = Math.log(mid);
  }
  return done(best, true);
}

/** `compress(model, image, { lambda })` or `compress(model, image, { targetBpp })`. */
export function compress(model: CompressionModel, image: ImageU8, control: RateControl, options: TargetSearchOptions = {}): CompressResult {
  if ('targetBpp' in control && control.targetBpp !== undefined) {
    if ('lambda' in control && (control as { lambda?: number }).lambda !== undefined) throw new Error('give either lambda or targetBpp, not both');
    return compressToBpp(model, image, control.targetBpp, options);
  }
  return compressAt(model, image, (control as { lambda: number }).lambda);
}

export interface DecompressOptions {
  /** Refuse files announcing more pixels than this (default 2^28), so a crafted header cannot exhaust memory. */
  maxPixels?: number;
}

/**
 * Reads the header, checks that the file was made by this model, decodes the latents and runs the
 * synthesis. Every failure is a BitstreamError whose message says what is wrong.
 */
export function decompressToTensor(model: CompressionModel, bytes: Uint8Array, options: DecompressOptions = {}, ctx: CodecContext = codecContext(model)): { xHat: tf.Tensor4D; header: BitstreamHeader } {
  const { header, payload, side } = readBitstream(bytes);
  const architecture = architectureOf(model);
  if (header.architecture !== architecture)
    throw new BitstreamError('model-mismatch', `bitstream was coded by a ${ARCHITECTURE_NAMES[header.architecture]} model; this is a ${ARCHITECTURE_NAMES[architecture]} model; decode it with the checkpoint that encoded it`);
  if (header.fingerprint !== ctx.fingerprint)
    throw new BitstreamError('model-mismatch', `bitstream was made by model ${header.fingerprint}, not by this model (${ctx.fingerprint}); decode it with the checkpoint that encoded it`);
  if (header.latentChannels !== model.config.M)
    throw new BitstreamError('invalid-header', `bitstream has ${header.latentChannels} latent channels, the model has ${model.config.M}`);
  if (architecture === 'hyperprior' && header.hyperChannels !== model.config.N)
    throw new BitstreamError('invalid-header', `bitstream has ${header.hyperChannels} hyper-latent channels, the model has ${model.config.N}`);
  if (header.channels !== 3) throw new BitstreamError('invalid-header', `bitstream has ${header.channels} image channels; only RGB (3) is supported`);
  const expected = paddingFor(header.width, header.height);
  if (header.padRight !== expected.padRight || header.padBottom !== expected.padBottom)
    throw new BitstreamError('invalid-header', `bitstream padding ${header.padRight}×${header.padBottom} does not match a ${header.width}×${header.height} image (expected ${expected.padRight}×${expected.padBottom})`);
  const maxPixels = options.maxPixels ?? 2 ** 28;
  if (header.width * header.height > maxPixels)
    throw new BitstreamError('invalid-header', `bitstream announces a ${header.width}×${header.height} image, more than the decoder's limit of ${maxPixels} pixels`);
  let lambda: number;
  try {
    lambda = checkLambda(model, header.lambda);
  } catch (err) {
    throw new BitstreamError('invalid-header', `bitstream λ: ${(err as Error).message}`);
  }
  const h = (header.height + header.padBottom) / STRIDE;
  const w = (header.width + header.padRight) / STRIDE;
  const coding = codingAt(model, ctx, lambda);
  const xHat = model instanceof ScaleHyperprior ? decodeHyperprior(model, payload, side, h, w, lambda, coding) : decodeFactorized(model, payload, h, w, lambda, coding);
  return { xHat, header };
}

/** Decodes a file to the 8-bit RGB image. */
export function decompress(model: CompressionModel, bytes: Uint8Array, options: DecompressOptions = {}, ctx?: CodecContext): DecompressResult {
  const { xHat, header } = decompressToTensor(model, bytes, options, ctx);
  const image = toImage(xHat, header.width, header.height);
  xHat.dispose();
  return { image, header };
}
