import sharp from 'sharp';
import { UsageError } from '../errors.js';

/**
 * The largest image `exp codec compress` codes, in pixels (3.1 megapixels, e.g. 2048×1536). The codec
 * runs the whole image through the model at once, and tfjs's wasm heap cannot exceed 4 GiB. With the
 * default model (N=64, M=96) compress + decompress of a 1774×1774 image (3.15 MP) peaked at a 2.55 GB
 * heap, about 800 bytes per pixel (`pnpm exec tsx research/codec-memory.ts --side 1774`); a 6000×6000 photo
 * would need some 29 GB and died inside wasm with "memory access out of bounds".
 */
export const MAX_CODEC_PIXELS = 2048 * 1536;

/**
 * Refuses an image over the limit from its header alone, before any pixel is decoded or any tensor
 * allocated. A file sharp cannot read passes: the decoder then reports it with its own message.
 */
export async function refuseOversizedImage(path: string): Promise<void> {
  let meta: sharp.Metadata;
  try {
    meta = await sharp(path).metadata();
  } catch {
    return;
  }
  const { width, height } = meta;
  if (width === undefined || height === undefined || width * height <= MAX_CODEC_PIXELS) return;
  const mp = (n: number): string => `${(n / 1e6).toFixed(1)} megapixels`;
  throw new UsageError(
    `${path} is ${width}×${height} (${mp(width * height)}); the codec codes at most ${mp(MAX_CODEC_PIXELS)} ` +
      `(e.g. 2048×1536) in one piece: crop or downscale it first`,
  );
}
