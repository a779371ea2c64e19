import { readdirSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import sharp from 'sharp';
import type { Rng } from '../random/rng.js';

/**
 * Image files as float RGB. Images are decoded at 8 bits per channel (16-bit PNGs are reduced),
 * converted to sRGB, and returned HWC row-major with values in [0, 1].
 *
 * Gray images are expanded to three equal channels unless `gray: 'refuse'`. An alpha channel that is
 * fully opaque is dropped silently; one with any transparent pixel is refused by default, because
 * what should be behind it is the caller's decision: `alpha: 'flatten'` composites onto `background`.
 */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** [height, width, 3], values in [0, 1]. */
  readonly data: Float32Array;
  /** The file it came from, for messages. */
  readonly source: string;
}

export interface DecodeOptions {
  gray?: 'expand' | 'refuse';
  alpha?: 'refuse' | 'flatten';
  /** RGB in [0, 1] used by `alpha: 'flatten'`; white by default. */
  background?: readonly [number, number, number];
}

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg'] as const;

/** Decodes a PNG or JPEG file (or its bytes, with `source` naming it) to 8-bit RGB, HWC. */
export async function decodeImageU8(
  input: string | Uint8Array,
  options: DecodeOptions = {},
  source = typeof input === 'string' ? input : 'image bytes',
): Promise<{ width: number; height: number; data: Uint8Array; source: string }> {
  // The code lets a front end tell an undecodable input from its own failures without reading the message.
  const undecodable = (why: string): Error => Object.assign(new Error(`cannot decode image ${source}: ${why}`), { code: 'IMAGE_UNDECODABLE' });
  const fail = (why: string): never => {
    throw undecodable(why);
  };
  let meta: sharp.Metadata;
  let raw: { data: Buffer; info: sharp.OutputInfo };
  try {
    // failOn 'warning' turns a truncated JPEG/PNG into an error instead of a half-grey picture.
    const img = sharp(input, { failOn: 'warning' });
    meta = await img.metadata();
    if (meta.format !== 'png' && meta.format !== 'jpeg') fail(`format '${meta.format}' is not PNG or JPEG`);
    raw = await img.toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  } catch (e) {
    if ((e as { code?: unknown }).code === 'IMAGE_UNDECODABLE') throw e;
    throw undecodable((e as Error).message);
  }
  const gray = meta.space === 'b-w' || meta.space === 'grey16' || (meta.channels ?? 3) <= 2;
  if (gray && options.gray === 'refuse') fail('it is a grayscale image and gray images were refused (gray: "refuse")');
  const { width, height, channels } = raw.info;
  const src = raw.data;
  if (channels === 3) return { width, height, data: new Uint8Array(src.buffer, src.byteOffset, src.length), source };
  if (channels !== 4) fail(`unexpected ${channels} channels after conversion to sRGB`);
  const n = width * height;
  let opaque = true;
  for (let i = 0; i < n; i++) if (src[4 * i + 3] !== 255) { opaque = false; break; }
  if (!opaque && options.alpha !== 'flatten')
    // The code lets a front end (the CLI has no `alpha` option) give its own advice.
    throw Object.assign(
      new Error(`cannot decode image ${source}: it has transparent pixels; pass alpha: "flatten" (with a background) to composite it, or remove the alpha channel`),
      { code: 'IMAGE_HAS_ALPHA' },
    );
  const bg = (options.background ?? [1, 1, 1]).map((v) => v * 255);
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const a = src[4 * i + 3] / 255;
    for (let c = 0; c < 3; c++) out[3 * i + c] = Math.round(src[4 * i + c] * a + bg[c] * (1 - a));
  }
  return { width, height, data: out, source };
}

export async function decodeImage(input: string | Uint8Array, options: DecodeOptions = {}, source?: string): Promise<RgbImage> {
  const img = await decodeImageU8(input, options, source);
  return { width: img.width, height: img.height, data: u8ToUnit(img.data), source: img.source };
}

export function u8ToUnit(data: Uint8Array): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] / 255;
  return out;
}

/** Values in [0, 1] (clipped) to bytes, rounding to nearest. */
export function unitToU8(data: Float32Array | number[]): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    out[i] = v >= 1 ? 255 : v > 0 ? Math.round(v * 255) : 0;
  }
  return out;
}

/**
 * The image files under `folder`, sorted by their path (code-point order, so the order is the same on
 * every machine and file system). `recursive` descends into sub-folders.
 */
export function listImageFiles(folder: string, options: { recursive?: boolean; extensions?: readonly string[] } = {}): string[] {
  const exts = (options.extensions ?? IMAGE_EXTENSIONS).map((e) => e.toLowerCase());
  const out: string[] = [];
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (e) {
      throw new Error(`cannot list image folder ${dir}: ${(e as Error).message}`);
    }
    for (const name of names) {
      const p = join(dir, name);
      const st = statSync(p);
      if (st.isDirectory()) {
        if (options.recursive) walk(p);
      } else if (st.isFile() && exts.includes(extname(name).toLowerCase())) out.push(p);
    }
  };
  walk(folder);
  const key = (p: string): string => relative(folder, p).split(sep).join('/');
  return out.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** A crop of `size` at a position drawn from `rng` (uniform over all valid positions). */
export function randomCrop(img: RgbImage, size: number | readonly [number, number], rng: Rng): RgbImage {
  const [h, w] = typeof size === 'number' ? [size, size] : size;
  const { x, y } = cropOrigin(img, w, h, rng);
  return crop(img, x, y, w, h);
}

/** The top-left corner of a `w`×`h` crop of `img`, uniform over all valid positions (draws y, then x). */
function cropOrigin(img: { width: number; height: number; source: string }, w: number, h: number, rng: Rng): { x: number; y: number } {
  if (img.height < h || img.width < w)
    throw new Error(`image ${img.source} is ${img.width}×${img.height}, smaller than the ${w}×${h} crop`);
  const y = rng.int(img.height - h + 1);
  const x = rng.int(img.width - w + 1);
  return { x, y };
}

export function crop(img: RgbImage, x: number, y: number, w: number, h: number): RgbImage {
  if (x < 0 || y < 0 || x + w > img.width || y + h > img.height)
    throw new Error(`crop ${w}×${h} at (${x}, ${y}) does not fit image ${img.source} (${img.width}×${img.height})`);
  const out = new Float32Array(w * h * 3);
  for (let r = 0; r < h; r++) {
    const from = ((y + r) * img.width + x) * 3;
    out.set(img.data.subarray(from, from + w * 3), r * w * 3);
  }
  return { width: w, height: h, data: out, source: `${img.source}[${x},${y} ${w}×${h}]` };
}

/**
 * The images of a folder in a fixed order, decoded on demand and cached as 8-bit RGB (a quarter of
 * the float size), from which batches of random crops are drawn reproducibly.
 */
export class ImageFolder {
  private readonly cache = new Map<number, Promise<{ width: number; height: number; data: Uint8Array; source: string }>>();

  private constructor(
    readonly folder: string,
    readonly files: readonly string[],
    private readonly options: DecodeOptions & { cache: boolean },
  ) {}

  static open(folder: string, options: DecodeOptions & { recursive?: boolean; cache?: boolean } = {}): ImageFolder {
    const files = listImageFiles(folder, { recursive: options.recursive });
    if (files.length === 0) throw new Error(`image folder ${folder} holds no ${IMAGE_EXTENSIONS.join('/')} files`);
    return new ImageFolder(folder, files, { ...options, cache: options.cache ?? true });
  }

  get length(): number {
    return this.files.length;
  }

  async image(i: number): Promise<RgbImage> {
    const u8 = await this.u8(i);
    return { width: u8.width, height: u8.height, data: u8ToUnit(u8.data), source: u8.source };
  }

  private u8(i: number): Promise<{ width: number; height: number; data: Uint8Array; source: string }> {
    if (!Number.isInteger(i) || i < 0 || i >= this.files.length)
      throw new Error(`image index ${i} out of range for ${this.folder} (${this.files.length} images)`);
    let p = this.cache.get(i);
    if (!p) {
      p = decodeImageU8(this.files[i], this.options);
      if (this.options.cache) this.cache.set(i, p);
      else return p;
    }
    return p;
  }

  /**
   * `n` crops of `size`, each from an image drawn uniformly by `rng`, as one [n, h, w, 3] array.
   * Draws happen in a fixed order, so the same rng state gives the same batch.
   */
  async randomCrops(n: number, size: number | readonly [number, number], rng: Rng): Promise<Float32Array> {
    const [h, w] = typeof size === 'number' ? [size, size] : size;
    const out = new Float32Array(n * h * w * 3);
    const picks = Array.from({ length: n }, () => rng.int(this.files.length));
    for (let k = 0; k < n; k++) {
      const img = await this.u8(picks[k]);
      const { x, y } = cropOrigin(img, w, h, rng);
      for (let r = 0; r < h; r++) {
        const from = ((y + r) * img.width + x) * 3;
        const to = ((k * h + r) * w) * 3;
        for (let j = 0; j < w * 3; j++) out[to + j] = img.data[from + j] / 255;
      }
    }
    return out;
  }
}

/**
 * Encodes 8-bit (or [0, 1] float) pixels, HWC with 1, 3 or 4 channels, as PNG bytes.
 */
export async function encodePng(data: Uint8Array | Float32Array, width: number, height: number, channels: 1 | 3 | 4): Promise<Buffer> {
  if (data.length !== width * height * channels)
    throw new Error(`encodePng: ${width}×${height}×${channels} needs ${width * height * channels} values, got ${data.length}`);
  const bytes = data instanceof Float32Array ? unitToU8(data) : data;
  let img = sharp(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), { raw: { width, height, channels } });
  if (channels === 1) img = img.toColourspace('b-w');
  return img.png().toBuffer();
}
