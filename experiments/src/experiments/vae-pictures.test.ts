import { decodeImageU8 } from '@yoto/core';
import { tileGrid } from '@yoto/tasks-vae';
import { describe, expect, it } from 'vitest';
import { columnBetas, labelGrid } from './vae-pictures.js';

/** A 2×2 grid of 4×4 tiles drawn 16× (wide enough for a header): tile (r, c) is a flat gray (r * 2 + c + 1) / 5. */
async function grid() {
  const flat = (v: number) => new Float32Array(16).fill(v);
  return tileGrid(
    [
      [flat(0.2), flat(0.4)],
      [flat(0.6), flat(0.8)],
    ],
    4,
    4,
    1,
    { pad: 2, scale: 16 },
  );
}

/** How many pixels in the box are dark (text), on a white background. */
function darkPixels(img: { width: number; data: Uint8Array }, x0: number, y0: number, x1: number, y1: number): number {
  let n = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (img.data[(y * img.width + x) * 3] < 128) n++;
  return n;
}

describe('VAE pictures', () => {
  it('labelGrid: headers above the columns, labels left of the rows, the tiles unchanged', async () => {
    const g = await grid();
    expect([g.width, g.height, g.tileWidth]).toEqual([134, 134, 64]);
    const png = labelGrid(g, { columns: ['β = 0.5', null], rows: ['YOTO', 'baseline <2>'], note: 'a & b' });
    const img = await decodeImageU8(png);
    // The grid sits right of the row labels and below the headers, with the note under it.
    const left = img.width - g.width;
    const top = 28;
    expect(left).toBeGreaterThan(50); // 'baseline <2>' at 14 px needs room
    expect(img.height).toBe(top + g.height + 26);
    for (let r = 0; r < 2; r++)
      for (let c = 0; c < 2; c++) {
        const x = left + g.xs[c] + 6;
        const y = top + g.ys[r] + 6;
        expect(img.data[(y * img.width + x) * 3], `tile ${r},${c}`).toBe(Math.round(((r * 2 + c + 1) / 5) * 255));
      }
    // Text was drawn where a label is, and nowhere a label is not.
    expect(darkPixels(img, left + g.xs[0], 0, left + g.xs[0] + g.tileWidth, top)).toBeGreaterThan(10); // 'β = 0.5'
    expect(darkPixels(img, left + g.xs[1], 0, img.width, top)).toBe(0);
    expect(darkPixels(img, 0, top + g.ys[0], left, top + g.ys[0] + g.tileHeight)).toBeGreaterThan(10);
    expect(darkPixels(img, 0, top + g.ys[1], left, top + g.ys[1] + g.tileHeight)).toBeGreaterThan(10);
    expect(darkPixels(img, left, top + g.height, img.width, img.height)).toBeGreaterThan(5); // the note
    expect(() => labelGrid(g, { columns: ['a', 'b', 'c'], rows: [] })).toThrow(/3 column and 0 row labels for a 2×2 grid/);
  });

  it('labelGrid: a note longer than the grid widens the picture, and its end is drawn there', async () => {
    const g = await grid();
    const note = 'One YOTO model: content weight along the columns, the dominant style layer down the rows';
    const img = await decodeImageU8(labelGrid(g, { columns: [], rows: [], note }));
    expect(img.width).toBeGreaterThan(g.width + 300);
    // Text lies right of the grid's own width, in the note's band.
    expect(darkPixels(img, g.width + 250, g.height, img.width, img.height)).toBeGreaterThan(5);
    // The tiles are where they were (the picture grows to the right only).
    expect(img.data[((g.ys[0] + 6) * img.width + g.xs[0] + 6) * 3]).toBe(Math.round((1 / 5) * 255));
  });

  it('labelGrid without labels is the grid itself', async () => {
    const g = await grid();
    const img = await decodeImageU8(labelGrid(g, { columns: [], rows: [] }));
    expect([img.width, img.height]).toEqual([g.width, g.height]);
    const back = await decodeImageU8(g.png);
    expect(img.data).toEqual(back.data);
  });

  it('columnBetas: evenly spread grid values plus every baseline β, sorted', () => {
    const grid = [0.125, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64];
    expect(columnBetas(grid, [], 4)).toEqual([0.125, 1, 8, 64]);
    expect(columnBetas(grid, [3, 0.5], 4)).toEqual([0.125, 0.5, 1, 3, 8, 64]);
  });
});
