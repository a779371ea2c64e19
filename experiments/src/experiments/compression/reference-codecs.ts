// Classical codecs as reference points: JPEG (mozjpeg), WebP and AVIF through sharp, measured like
// the learned codec (bytes of the file, PSNR and MS-SSIM of the decoded 8-bit RGB image).
import { createHash } from 'node:crypto';
import { writeFileAtomic } from '@yoto/tracker';
import { msSsim, msSsimDb, psnr, type ImageU8 } from '@yoto/tasks-compression';
import sharp from 'sharp';
import { readReferenceCache, type ReferenceCache, type ReferenceCodec, type ReferencePoint, type ReferenceSettings } from './reference-cache.js';

/** How each codec is called: JPEG through mozjpeg (4:2:0, trellis), libwebp and libaom at effort 4. */
export const CODEC_OPTIONS: Record<ReferenceCodec, Record<string, unknown>> = {
  jpeg: { mozjpeg: true },
  webp: { effort: 4 },
  avif: { effort: 4, chromaSubsampling: '4:4:4' },
};

export interface Coded {
  bytes: number;
  decoded: ImageU8;
}

/** Encodes an 8-bit RGB image with `codec` at `quality` (1–100) and decodes it back. */
export async function codeWith(image: ImageU8, codec: ReferenceCodec, quality: number): Promise<Coded> {
  const options = CODEC_OPTIONS[codec];
  if (!options) throw new Error(`unknown reference codec '${codec}'; codecs: ${Object.keys(CODEC_OPTIONS).join(', ')}`);
  const input = sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), {
    raw: { width: image.width, height: image.height, channels: 3 },
  });
  const file = await input[codec]({ quality, ...options }).toBuffer();
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.width !== image.width || info.height !== image.height || info.channels !== 3)
    throw new Error(`${codec} q=${quality}: decoded to ${info.width}×${info.height}×${info.channels}, expected ${image.width}×${image.height}×3`);
  return { bytes: file.length, decoded: { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) } };
}

/** Every codec at every quality on every image (means over images). */
export async function referenceSweep(
  images: readonly ImageU8[],
  codecs: readonly ReferenceCodec[],
  qualities: readonly number[],
  onPoint?: (done: number, total: number) => void,
): Promise<ReferencePoint[]> {
  if (images.length === 0) throw new Error('reference sweep: no images');
  const out: ReferencePoint[] = [];
  const total = codecs.length * qualities.length;
  for (const codec of codecs)
    for (const quality of qualities) {
      const sum = { bpp: 0, psnr: 0, ms_ssim: 0, ms_ssim_db: 0 };
      for (const img of images) {
        const { bytes, decoded } = await codeWith(img, codec, quality);
        const ms = msSsim(img.data, decoded.data, img.width, img.height);
        sum.bpp += (8 * bytes) / (img.width * img.height);
        sum.psnr += psnr(img.data, decoded.data);
        sum.ms_ssim += ms;
        sum.ms_ssim_db += msSsimDb(ms);
      }
      const n = images.length;
      out.push({ codec, quality, bpp: sum.bpp / n, psnr: sum.psnr / n, ms_ssim: sum.ms_ssim / n, ms_ssim_db: sum.ms_ssim_db / n, images: n });
      onPoint?.(out.length, total);
    }
  return out;
}

export function imagesDigest(images: readonly ImageU8[]): string {
  const h = createHash('sha256');
  for (const img of images) {
    h.update(`${img.width}x${img.height};`);
    h.update(img.data);
  }
  return h.digest('hex');
}

function libraryVersions(): Record<string, string> {
  const v = sharp.versions as Record<string, string | undefined>;
  return Object.fromEntries(['sharp', 'vips', 'mozjpeg', 'webp', 'aom', 'heif'].map((k) => [k, v[k] ?? 'n/a']));
}

/**
 * The sweep for these images and settings, from `file` when it holds exactly that (same settings,
 * same pixels, same library versions), else computed and written there atomically.
 */
export async function cachedReferenceSweep(
  file: string,
  images: readonly ImageU8[],
  settings: ReferenceSettings,
  onPoint?: (done: number, total: number) => void,
): Promise<ReferenceCache> {
  const digest = imagesDigest(images);
  const versions = libraryVersions();
  const cached = readReferenceCache(file, settings);
  if (cached && cached.images === digest && JSON.stringify(cached.versions) === JSON.stringify(versions)) return cached;
  const points = await referenceSweep(images, settings.codecs, settings.qualities, onPoint);
  const cache: ReferenceCache = { settings, versions, images: digest, points };
  writeFileAtomic(file, `${JSON.stringify(cache, null, 1)}\n`);
  return cache;
}
