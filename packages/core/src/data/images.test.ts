import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../random/rng.js';
import { ImageFolder, crop, decodeImage, encodePng, listImageFiles, randomCrop } from './images.js';

const dir = mkdtempSync(join(tmpdir(), 'yoto-img-'));
/** Corrupt files go elsewhere so the folder listing stays fixed. */
const scratch = mkdtempSync(join(tmpdir(), 'yoto-img-bad-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

/** A 5×4 RGB image whose pixel (x, y) is (10x, 20y, 7) so positions can be recovered from values. */
function gradient(w = 5, h = 4): Buffer {
  const b = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) b.set([10 * x, 20 * y, 7], (y * w + x) * 3);
  return b;
}

beforeAll(async () => {
  await sharp(gradient(), { raw: { width: 5, height: 4, channels: 3 } }).png().toFile(join(dir, 'b.png'));
  await sharp(gradient(), { raw: { width: 5, height: 4, channels: 3 } }).jpeg({ quality: 100 }).toFile(join(dir, 'a.jpg'));
  await sharp(Buffer.alloc(6, 128), { raw: { width: 3, height: 2, channels: 1 } }).toColourspace('b-w').png().toFile(join(dir, 'gray.png'));
  const rgba = Buffer.from([255, 0, 0, 255, 0, 0, 255, 0]); // opaque red, fully transparent blue
  await sharp(rgba, { raw: { width: 2, height: 1, channels: 4 } }).png().toFile(join(dir, 'alpha.png'));
  await sharp(Buffer.from([1, 2, 3, 255, 4, 5, 6, 255]), { raw: { width: 2, height: 1, channels: 4 } }).png().toFile(join(dir, 'opaque.png'));
  mkdirSync(join(dir, 'nested'));
  await sharp(gradient(), { raw: { width: 5, height: 4, channels: 3 } }).png().toFile(join(dir, 'nested', 'c.PNG'));
  writeFileSync(join(dir, 'notes.txt'), 'not an image');
});

describe('decodeImage', () => {
  it('decodes PNG exactly to HWC floats in [0, 1]', async () => {
    const img = await decodeImage(join(dir, 'b.png'));
    expect([img.width, img.height, img.data.length]).toEqual([5, 4, 60]);
    const px = (x: number, y: number): number[] => [...img.data.subarray((y * 5 + x) * 3, (y * 5 + x) * 3 + 3)].map((v) => Math.round(v * 255));
    expect(px(0, 0)).toEqual([0, 0, 7]);
    expect(px(4, 3)).toEqual([40, 60, 7]);
  });

  it('decodes JPEG close to the source', async () => {
    const img = await decodeImage(join(dir, 'a.jpg'));
    const src = gradient();
    let maxErr = 0;
    for (let i = 0; i < src.length; i++) maxErr = Math.max(maxErr, Math.abs(img.data[i] * 255 - src[i]));
    expect(maxErr).toBeLessThan(12);
  });

  it('expands gray to three equal channels, or refuses it on request', async () => {
    const img = await decodeImage(join(dir, 'gray.png'));
    expect(img.data.length).toBe(18);
    expect(new Set(img.data)).toEqual(new Set([Math.fround(128 / 255)]));
    await expect(decodeImage(join(dir, 'gray.png'), { gray: 'refuse' })).rejects.toThrow(/gray\.png: it is a grayscale image/);
  });

  it('drops an opaque alpha, refuses transparency, flattens it onto a background on request', async () => {
    const opaque = await decodeImage(join(dir, 'opaque.png'));
    expect([...opaque.data].map((v) => Math.round(v * 255))).toEqual([1, 2, 3, 4, 5, 6]);
    await expect(decodeImage(join(dir, 'alpha.png'))).rejects.toThrow(/alpha\.png: it has transparent pixels/);
    const white = await decodeImage(join(dir, 'alpha.png'), { alpha: 'flatten' });
    expect([...white.data]).toEqual([1, 0, 0, 1, 1, 1]);
    const black = await decodeImage(join(dir, 'alpha.png'), { alpha: 'flatten', background: [0, 0, 0] });
    expect([...black.data]).toEqual([1, 0, 0, 0, 0, 0]);
  });

  it('names the file of a corrupt, truncated or non-image input', async () => {
    const png = await sharp(gradient(), { raw: { width: 5, height: 4, channels: 3 } }).png().toBuffer();
    writeFileSync(join(scratch, 'cut.png'), png.subarray(0, png.length - 30));
    await expect(decodeImage(join(scratch, 'cut.png'))).rejects.toThrow(new RegExp(`cannot decode image ${scratch}/cut\\.png: `));
    const jpg = await sharp(Buffer.alloc(64 * 64 * 3, 99), { raw: { width: 64, height: 64, channels: 3 } }).jpeg().toBuffer();
    writeFileSync(join(scratch, 'cut.jpg'), jpg.subarray(0, jpg.length >> 1));
    await expect(decodeImage(join(scratch, 'cut.jpg'))).rejects.toThrow(/cannot decode image .*cut\.jpg: .*premature end/i);
    await expect(decodeImage(join(dir, 'notes.txt'))).rejects.toThrow(/cannot decode image .*notes\.txt: /);
    await expect(decodeImage(join(dir, 'absent.png'))).rejects.toThrow(/cannot decode image .*absent\.png: /);
    const webp = await sharp(gradient(), { raw: { width: 5, height: 4, channels: 3 } }).webp().toBuffer();
    await expect(decodeImage(webp, {}, 'x.webp')).rejects.toThrow(`cannot decode image x.webp: format 'webp' is not PNG or JPEG`);
  });
});

describe('image folders and crops', () => {
  it('lists images in a deterministic sorted order, optionally recursive', () => {
    const names = (r: boolean): string[] => listImageFiles(dir, { recursive: r }).map((p) => p.slice(dir.length + 1));
    expect(names(false)).toEqual(['a.jpg', 'alpha.png', 'b.png', 'gray.png', 'opaque.png']);
    expect(names(true)).toEqual(['a.jpg', 'alpha.png', 'b.png', 'gray.png', 'nested/c.PNG', 'opaque.png']);
  });

  it('crops at rng-drawn positions: same seed, same crop; content matches the position', async () => {
    const img = await decodeImage(join(dir, 'b.png'));
    const c1 = randomCrop(img, [2, 3], new Rng(7));
    const c2 = randomCrop(img, [2, 3], new Rng(7));
    expect([...c1.data]).toEqual([...c2.data]);
    // The gradient encodes the position: top-left of the crop is (10x, 20y).
    const x = Math.round(c1.data[0] * 255) / 10;
    const y = Math.round(c1.data[1] * 255) / 20;
    expect([...crop(img, x, y, 3, 2).data]).toEqual([...c1.data]);
    const seen = new Set<string>();
    const rng = new Rng(1);
    for (let i = 0; i < 200; i++) {
      const c = randomCrop(img, [2, 3], rng);
      seen.add(`${c.data[0]},${c.data[1]}`);
    }
    expect(seen.size).toBe(3 * 3); // every valid position of a 3×2 crop in 5×4
    expect(() => randomCrop(img, 6, new Rng(0))).toThrow(/b\.png is 5×4, smaller than the 6×6 crop/);
  });

  it('draws reproducible crop batches from a folder and names a bad file', async () => {
    const sub = join(dir, 'nested');
    const folder = ImageFolder.open(sub);
    expect(folder.length).toBe(1);
    const a = await folder.randomCrops(4, 2, new Rng(3));
    const b = await folder.randomCrops(4, 2, new Rng(3));
    expect(a.length).toBe(4 * 2 * 2 * 3);
    expect([...a]).toEqual([...b]);
    mkdirSync(join(scratch, 'folder'));
    writeFileSync(join(scratch, 'folder', 'd.png'), 'garbage');
    const bad = ImageFolder.open(join(scratch, 'folder'));
    await expect(bad.image(0)).rejects.toThrow(/cannot decode image .*folder\/d\.png/);
    await expect(bad.randomCrops(1, 1, new Rng(0))).rejects.toThrow(/cannot decode image .*folder\/d\.png/);
    expect(() => ImageFolder.open(join(dir, 'nowhere'))).toThrow(/cannot list image folder/);
  });

  it('encodes PNG bytes that decode back to the same pixels', async () => {
    const pixels = Uint8Array.from(gradient());
    const png = await encodePng(pixels, 5, 4, 3);
    const back = await decodeImage(png);
    expect([...back.data].map((v) => Math.round(v * 255))).toEqual([...pixels]);
    await expect(encodePng(pixels, 4, 4, 3)).rejects.toThrow(/needs 48 values, got 60/);
  });
});
