import sharp from 'sharp';
import type { PixelsU8 } from './pixels.js';

export type { PixelsU8 };

/**
 * Decodes an image file and resizes it to exactly width×height (scaled to cover, then centre-cropped;
 * the COCO content photos are already square). Gray images become three equal channels. The
 * failing file's name is in the error.
 */
export async function loadResized(file: string, width: number, height: number): Promise<PixelsU8> {
  try {
    const { data, info } = await sharp(file, { failOn: 'warning' })
      .resize(width, height, { fit: 'cover', position: 'centre' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels, expected 3`);
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length), source: file };
  } catch (e) {
    throw new Error(`cannot decode image ${file}: ${(e as Error).message}`);
  }
}

/** The size of an image file without decoding its pixels. */
export async function imageSize(file: string): Promise<{ width: number; height: number }> {
  try {
    const m = await sharp(file).metadata();
    return { width: m.width ?? 0, height: m.height ?? 0 };
  } catch (e) {
    throw new Error(`cannot read image ${file}: ${(e as Error).message}`);
  }
}
