import { MS_SSIM_MIN_SIZE, msSsim, msSsimDb } from '../metrics/ms-ssim.js';
import { mse, psnr } from '../metrics/psnr.js';
import type { CompressionModel } from '../model/compression-model.js';
import { type CodecContext, codecContext, compressAt, type CompressResult, decompress } from './codec.js';
import type { ImageU8 } from './image.js';

/** One image coded at λ to a real file, decoded, and measured against the original. */
export interface RoundTrip {
  encoded: CompressResult;
  decoded: ImageU8;
  /** 255²·MSE over RGB (the distortion term, measured on the decoded 8-bit image). */
  mse: number;
  psnr: number;
  /** Null for an image under MS_SSIM_MIN_SIZE (176) on a side: its five scales do not fit. */
  msSsim: number | null;
  msSsimDb: number | null;
}

/**
 * Codes `image` at λ with the range coder, decodes the file and measures PSNR and MS-SSIM (where the
 * image is large enough for it): the task's evaluation does this per Kodak image, the browser
 * explorer per slider move.
 */
export function roundTrip(model: CompressionModel, image: ImageU8, lambda: number, ctx: CodecContext = codecContext(model)): RoundTrip {
  const encoded = compressAt(model, image, lambda, ctx);
  const decoded = decompress(model, encoded.bytes, {}, ctx).image;
  const ms = Math.min(image.width, image.height) >= MS_SSIM_MIN_SIZE ? msSsim(image.data, decoded.data, image.width, image.height) : null;
  return { encoded, decoded, mse: mse(image.data, decoded.data), psnr: psnr(image.data, decoded.data), msSsim: ms, msSsimDb: ms === null ? null : msSsimDb(ms) };
}
