import { MS_SSIM_MIN_SIZE, msSsim, msSsimDb } from '../metrics/ms-ssim.js';
import { mse, psnr } from '../metrics/psnr.js';
import type { CompressionModel } from '../model/compression-model.js';
import { type CodecContext, codecContext, compressAt, type CompressResult, decompress } from './codec.js';
import type { ImageU8 } from './image.js';

/** One image coded at λ to a real file and decoded, with the cheap measure (PSNR) of the result. */
export interface CodedImage {
  encoded: CompressResult;
  decoded: ImageU8;
  /** 255²·MSE over RGB (the distortion term, measured on the decoded 8-bit image). */
  mse: number;
  psnr: number;
}

/** MS-SSIM of a decoded image against its original, and in dB. */
export interface MsSsimOf {
  /** Null for an image under MS_SSIM_MIN_SIZE (176) on a side: its five scales do not fit. */
  msSsim: number | null;
  msSsimDb: number | null;
}

/** One image coded at λ to a real file, decoded, and measured against the original. */
export type RoundTrip = CodedImage & MsSsimOf;

/**
 * Codes `image` at λ with the range coder and decodes the file: the picture a user sees, with its
 * size and PSNR. The browser explorer draws this first and measures MS-SSIM (msSsimOf, several
 * times slower) after the picture is on screen.
 */
export function codeAndDecode(model: CompressionModel, image: ImageU8, lambda: number, ctx: CodecContext = codecContext(model)): CodedImage {
  const encoded = compressAt(model, image, lambda, ctx);
  const decoded = decompress(model, encoded.bytes, {}, ctx).image;
  return { encoded, decoded, mse: mse(image.data, decoded.data), psnr: psnr(image.data, decoded.data) };
}

/** MS-SSIM of `decoded` against `image` where the image is large enough for its five scales (null otherwise). */
export function msSsimOf(image: ImageU8, decoded: ImageU8): MsSsimOf {
  const ms = Math.min(image.width, image.height) >= MS_SSIM_MIN_SIZE ? msSsim(image.data, decoded.data, image.width, image.height) : null;
  return { msSsim: ms, msSsimDb: ms === null ? null : msSsimDb(ms) };
}

/**
 * Codes `image` at λ with the range coder, decodes the file and measures PSNR and MS-SSIM (where the
 * image is large enough for it): the task's evaluation does this per Kodak image.
 */
export function roundTrip(model: CompressionModel, image: ImageU8, lambda: number, ctx: CodecContext = codecContext(model)): RoundTrip {
  const coded = codeAndDecode(model, image, lambda, ctx);
  return { ...coded, ...msSsimOf(image, coded.decoded) };
}
