import * as tf from '@tensorflow/tfjs';
import { decodeImageU8, initBackend } from '@yoto/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { priorSamples, reconstructionGrid, tileGrid } from './pictures.js';
import { createVaeTask } from './task.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const TINY = { channels: [4, 8], latent: 2, conditioningHidden: 8, testLimit: 10 };

/** The RGB of tile (row, col) in a grid with 28×28 tiles and 2-pixel padding. */
function tile(rgba: Uint8Array, gridWidth: number, row: number, col: number): number[] {
  const out: number[] = [];
  for (let y = 0; y < 28; y++)
    for (let x = 0; x < 28; x++) out.push(rgba[((2 + row * 30 + y) * gridWidth + 2 + col * 30 + x) * 4]);
  return out;
}

describe('pictures', () => {
  it('tiles images into an RGBA grid with padding and a matching PNG', async () => {
    const g = await tileGrid([[Float32Array.of(0, 1, 0.5, 2)], [Float32Array.of(1, 1, 1, -1)]], 2, 2, 1, { pad: 1, background: 7 });
    expect([g.width, g.height]).toEqual([4, 7]);
    const px = (x: number, y: number): number[] => [...g.rgba.subarray((y * 4 + x) * 4, (y * 4 + x) * 4 + 4)];
    expect(px(0, 0)).toEqual([7, 7, 7, 255]);
    expect(px(1, 1)).toEqual([0, 0, 0, 255]);
    expect(px(2, 2)).toEqual([255, 255, 255, 255]); // 2 clipped to 1
    expect(px(1, 2)).toEqual([128, 128, 128, 255]);
    const back = await decodeImageU8(g.png);
    expect([back.width, back.height]).toEqual([4, 7]);
  });

  it('upscales tiles by nearest neighbour and sets row groups apart, reporting where each tile lies', async () => {
    const tiles = [[Float32Array.of(0, 1, 0.5, 0.25)], [Float32Array.of(1, 0, 0, 1)], [Float32Array.of(0, 0, 0, 0)]];
    const g = await tileGrid(tiles, 2, 2, 1, { pad: 1, scale: 3, rowGroup: 2, groupGap: 4 });
    expect([g.tileWidth, g.tileHeight, g.xs, g.ys]).toEqual([6, 6, [1], [1, 8, 19]]); // 19 = 1 + 2 · (6 + 1) + 4
    expect([g.width, g.height]).toEqual([8, 26]);
    const gray = (x: number, y: number): number => g.rgba[(y * g.width + x) * 4];
    // Tile 0 pixel (0, 1) = 1 fills the 3×3 block at x 4..6, y 1..3; pixel (1, 0) = 0.5 the block below it.
    for (let y = 1; y <= 3; y++) expect([gray(1, y), gray(3, y), gray(4, y), gray(6, y)]).toEqual([0, 0, 255, 255]);
    for (let y = 4; y <= 6; y++) expect([gray(1, y), gray(3, y), gray(4, y), gray(6, y)]).toEqual([128, 128, 64, 64]);
    // The gap between the groups is background; the third row starts after it.
    for (let y = 15; y < 19; y++) expect(gray(3, y)).toBe(255);
    expect([gray(1, 19), gray(6, 24)]).toEqual([0, 0]);
    const back = await decodeImageU8(g.png);
    expect([back.width, back.height]).toEqual([8, 26]);
    await expect(tileGrid(tiles, 2, 2, 1, { scale: 1.5 })).rejects.toThrow(/scale must be an integer ≥ 1, got 1.5/);
  });

  it('reconstructionGrid: input column, then one column per β from one conditioned model', async () => {
    const task = createVaeTask(TINY);
    const model = task.buildModel({ space: task.defaultSpace(), conditioned: true, seed: 1 });
    const images = task.testImages(3);
    const g = await reconstructionGrid(model, images, [0.125, 1, 64]);
    expect([g.rows, g.columns, g.width, g.height]).toEqual([3, 4, 4 * 30 + 2, 3 * 30 + 2]);
    const input = images.dataSync();
    expect(tile(g.rgba, g.width, 1, 0)).toEqual([...input.subarray(784, 1568)].map((v) => Math.round(v * 255)));
    expect(tile(g.rgba, g.width, 1, 1)).not.toEqual(tile(g.rgba, g.width, 1, 3)); // β changes the output
    await expect(reconstructionGrid(model, images, [])).rejects.toThrow(/betas must be a non-empty list/);
    images.dispose();
    model.dispose();
  });

  it('priorSamples: the same z across β; an unconditioned model gives identical columns', async () => {
    const task = createVaeTask(TINY);
    const base = task.buildModel({ space: task.defaultSpace(), conditioned: false, seed: 2 });
    const g = await priorSamples(base, [0.5, 8], 2, { seed: 3 });
    expect([g.rows, g.columns]).toEqual([2, 2]);
    expect(tile(g.rgba, g.width, 0, 0)).toEqual(tile(g.rgba, g.width, 0, 1));
    expect(tile(g.rgba, g.width, 0, 0)).not.toEqual(tile(g.rgba, g.width, 1, 0));
    const again = await priorSamples(base, [0.5, 8], 2, { seed: 3 });
    expect(again.rgba).toEqual(g.rgba);
    const n = tf.memory().numTensors;
    await priorSamples(base, [1], 2);
    expect(tf.memory().numTensors).toBe(n);
    base.dispose();
  });
});
