import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { decodeImageU8, listImageFiles, Rng } from '@yoto/core';
import type { ImageU8 } from '../codec/image.js';

/**
 * Decoded 8-bit RGB images of a list of files, held in memory. Task.trainBatch is synchronous
 * while image decoding (sharp) is not, so `load()` decodes everything up front; a caller that did
 * not call it still works: the first synchronous access decodes all files in one child process.
 */
export class ImageSet {
  private images: ImageU8[] | null = null;

  constructor(
    readonly name: string,
    readonly files: readonly string[],
  ) {
    if (files.length === 0) throw new Error(`image set ${name} is empty`);
  }

  static fromFolders(name: string, folders: readonly string[]): ImageSet {
    return new ImageSet(name, folders.flatMap((f) => listImageFiles(f)));
  }

  get loaded(): boolean {
    return this.images !== null;
  }

  get length(): number {
    return this.files.length;
  }

  /** Decodes every file (in process); idempotent. */
  async load(): Promise<void> {
    if (this.images) return;
    const out: ImageU8[] = [];
    for (const f of this.files) {
      const img = await decodeImageU8(f);
      out.push({ width: img.width, height: img.height, data: img.data });
    }
    this.images = out;
  }

  /** All images, decoding synchronously (child process) if `load()` was not awaited. */
  all(): ImageU8[] {
    if (!this.images) this.images = decodeFilesSync(this.files);
    return this.images;
  }

  get(i: number): ImageU8 {
    const all = this.all();
    if (!Number.isInteger(i) || i < 0 || i >= all.length) throw new Error(`image ${i} out of range for ${this.name} (${all.length} images)`);
    return all[i];
  }
}

/**
 * Decodes the files with sharp in a child Node process and reads the pixels back synchronously:
 * per image a 12-byte header (width, height, channels as uint32 LE) and the raw bytes.
 */
function decodeFilesSync(files: readonly string[]): ImageU8[] {
  const sharpPath = createRequire(import.meta.url).resolve('sharp');
  const script = `
const sharp = require(${JSON.stringify(sharpPath)});
const files = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
(async () => {
  for (const f of files) {
    // The failing file's name goes into the error: one corrupt JPEG among 400 must be findable.
    const { data, info } = await sharp(f, { failOn: 'warning' }).toColourspace('srgb').removeAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true })
      .catch((e) => { throw new Error(f + ': ' + (e && e.message || e)); });
    const head = Buffer.alloc(12);
    head.writeUInt32LE(info.width, 0); head.writeUInt32LE(info.height, 4); head.writeUInt32LE(info.channels, 8);
    process.stdout.write(head); process.stdout.write(data);
  }
})().catch((e) => { process.stderr.write(String(e && e.message || e)); process.exit(1); });`;
  let out: Buffer;
  try {
    out = execFileSync(process.execPath, ['-e', script], { input: JSON.stringify(files), maxBuffer: 2 ** 31 - 1, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    throw new Error(`decoding ${files.length} images failed: ${e.stderr?.toString().trim() || e.message}`);
  }
  const images: ImageU8[] = [];
  let pos = 0;
  for (const f of files) {
    if (pos + 12 > out.length) throw new Error(`decoding images: output ended before ${f}`);
    const width = out.readUInt32LE(pos);
    const height = out.readUInt32LE(pos + 4);
    const channels = out.readUInt32LE(pos + 8);
    pos += 12;
    if (channels !== 3) throw new Error(`image ${f}: decoded to ${channels} channels, expected RGB`);
    const n = width * height * 3;
    images.push({ width, height, data: new Uint8Array(out.buffer, out.byteOffset + pos, n) });
    pos += n;
  }
  return images;
}

/** A 32-bit seed mixing a run seed and a step, so neighbouring steps get unrelated streams. */
export function stepSeed(seed: number, step: number): number {
  let h = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
  for (const v of [step >>> 0, Math.floor(step / 2 ** 32) >>> 0]) {
    h = Math.imul(h ^ v, 0x85ebca6b) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h;
}

/**
 * `n` random crops of size×size (random image, position and horizontal flip) as [n, size, size, 3]
 * floats in [0, 1]. Depends only on the rng's state.
 */
export function randomCrops(set: ImageSet, n: number, size: number, rng: Rng): Float32Array {
  const out = new Float32Array(n * size * size * 3);
  for (let k = 0; k < n; k++) {
    const img = set.get(rng.int(set.length));
    if (img.width < size || img.height < size) throw new Error(`image ${set.name}#${k} is ${img.width}×${img.height}, smaller than the ${size}×${size} crop`);
    const y0 = rng.int(img.height - size + 1);
    const x0 = rng.int(img.width - size + 1);
    const flip = rng.uniform() < 0.5;
    for (let r = 0; r < size; r++) {
      const rowIn = ((y0 + r) * img.width + x0) * 3;
      const rowOut = (k * size + r) * size * 3;
      for (let c = 0; c < size; c++) {
        const from = rowIn + (flip ? size - 1 - c : c) * 3;
        const to = rowOut + c * 3;
        out[to] = img.data[from] / 255;
        out[to + 1] = img.data[from + 1] / 255;
        out[to + 2] = img.data[from + 2] / 255;
      }
    }
  }
  return out;
}

export const BSDS_TRAIN_FOLDERS = ['train', 'test'] as const;

export function bsdsTrainFolders(root: string): string[] {
  return BSDS_TRAIN_FOLDERS.map((f) => join(root, f));
}
