import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { animatedWebp, FRAME_MS } from './sweep-animation.js';

const png = (width: number, height: number, grey: number): Promise<Buffer> =>
  sharp({ create: { width, height, channels: 3, background: { r: grey, g: grey, b: grey } } }).png().toBuffer();

describe('the sweep animation', () => {
  it('frames of different sizes (a longer note widens a labelled grid) are padded with white to the largest', async () => {
    const webp = await animatedWebp([await png(8, 6, 0), await png(5, 6, 0), await png(8, 4, 0)]);
    const meta = await sharp(webp).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 8, height: 6, pages: 3, loop: 0, delay: [FRAME_MS, FRAME_MS, FRAME_MS] });
    const pages = await Promise.all([0, 1, 2].map((page) => sharp(webp, { page }).removeAlpha().raw().toBuffer({ resolveWithObject: true })));
    const at = (p: number, x: number, y: number) => pages[p].data[(y * pages[p].info.width + x) * 3];
    // Lossless: each frame's own pixels stay black, the padding is white.
    expect([at(0, 7, 5), at(1, 4, 5), at(1, 5, 0), at(1, 7, 5), at(2, 7, 3), at(2, 0, 4), at(2, 7, 5)]).toEqual([0, 0, 255, 255, 0, 255, 255]);
  });

  it('no frames is an error, not an empty file', async () => {
    await expect(animatedWebp([])).rejects.toThrow('sweep animation: no frames');
  });
});
