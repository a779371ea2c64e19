import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { decodeImageU8, type DecodeOptions, encodePng, writeFileAtomic } from '@yoto/core';
import type { CompressionModel } from '../model/compression-model.js';
import { compress, type CompressResult, decompress, type DecompressResult, type RateControl, type TargetSearchOptions } from './codec.js';
import type { ImageU8 } from './image.js';

/**
 * File-level codec: PNG/JPEG in, `.yoto` out, and back to PNG. Gray inputs are expanded to RGB;
 * inputs with transparent pixels are refused unless `alpha: 'flatten'` (core's image decoder).
 */
export async function readImageFile(path: string, options: DecodeOptions = {}): Promise<ImageU8> {
  const img = await decodeImageU8(path, options);
  return { width: img.width, height: img.height, data: img.data };
}

/** Writes a PNG atomically; other extensions are refused so a typo cannot produce a misnamed file. */
export async function writePngFile(path: string, image: ImageU8): Promise<void> {
  if (extname(path).toLowerCase() !== '.png') throw new Error(`output image ${path}: only .png is written (lossless, so the decoded pixels are kept)`);
  await writeFileAtomic(path, await encodePng(image.data, image.width, image.height, 3));
}

export async function compressFile(
  model: CompressionModel,
  input: string,
  output: string,
  control: RateControl,
  options: TargetSearchOptions & DecodeOptions = {},
): Promise<CompressResult> {
  const image = await readImageFile(input, options);
  const result = compress(model, image, control, options);
  await writeFileAtomic(output, result.bytes);
  return result;
}

export async function decompressFile(model: CompressionModel, input: string, output: string): Promise<DecompressResult> {
  const bytes = new Uint8Array(await readFile(input));
  const result = decompress(model, bytes);
  await writePngFile(output, result.image);
  return result;
}
