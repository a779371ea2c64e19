import * as tf from '@tensorflow/tfjs';
import { encodePng } from '@yoto/core';
import type { VaeModel } from './model.js';
import { decodeAt, reconstructAt } from './decode-at.js';
import { STREAM, streamRng } from './seeds.js';

/** An RGBA picture made of image tiles, with its PNG encoding. */
export interface ImageGrid {
  width: number;
  height: number;
  rows: number;
  columns: number;
  /** Size of one tile in the picture (the image size × `scale`). */
  tileWidth: number;
  tileHeight: number;
  /** Left edge of each column's tiles and top edge of each row's, in picture pixels (for labels). */
  xs: number[];
  ys: number[];
  /** [height, width, 4], 8 bits per channel. */
  rgba: Uint8Array;
  png: Buffer;
}

export interface GridOptions {
  /** Pixels between tiles (default 2). */
  pad?: number;
  /** Gray level of the padding, 0–255 (default 255). */
  background?: number;
  /** Integer upscaling of every tile, nearest neighbour so pixels stay sharp (default 1). */
  scale?: number;
  /** Rows come in groups of this many (e.g. 2: YOTO above baseline); groups are set apart (default 1). */
  rowGroup?: number;
  /** Extra pixels between row groups (default 0). */
  groupGap?: number;
}

/**
 * Lays out `tiles[row][column]` (each [h, w, c] with values in [0, 1], c = 1 or 3) as one RGBA
 * picture. Values outside [0, 1] (a Gaussian decoder's means) are clipped.
 */
export async function tileGrid(tiles: Float32Array[][], h: number, w: number, c: 1 | 3, options: GridOptions = {}): Promise<ImageGrid> {
  const pad = options.pad ?? 2;
  const bg = options.background ?? 255;
  const scale = options.scale ?? 1;
  const group = options.rowGroup ?? 1;
  const gap = options.groupGap ?? 0;
  for (const [name, v, min] of [['pad', pad, 0], ['scale', scale, 1], ['rowGroup', group, 1], ['groupGap', gap, 0]] as const)
    if (!Number.isInteger(v) || v < min) throw new Error(`tileGrid: ${name} must be an integer ≥ ${min}, got ${v}`);
  const rows = tiles.length;
  const columns = Math.max(0, ...tiles.map((r) => r.length));
  if (rows === 0 || columns === 0) throw new Error('tileGrid: no tiles');
  const tw = w * scale;
  const th = h * scale;
  const xs = Array.from({ length: columns }, (_, col) => pad + col * (tw + pad));
  const ys = Array.from({ length: rows }, (_, r) => pad + r * (th + pad) + Math.floor(r / group) * gap);
  const W = columns * tw + (columns + 1) * pad;
  const H = ys[rows - 1] + th + pad;
  const rgba = new Uint8Array(W * H * 4).fill(bg);
  for (let i = 3; i < rgba.length; i += 4) rgba[i] = 255; // opaque padding
  for (let r = 0; r < rows; r++)
    for (let col = 0; col < tiles[r].length; col++) {
      const t = tiles[r][col];
      if (t.length !== h * w * c) throw new Error(`tileGrid: tile (${r}, ${col}) has ${t.length} values, expected ${h}×${w}×${c}`);
      for (let y = 0; y < th; y++)
        for (let x = 0; x < tw; x++) {
          const o = ((ys[r] + y) * W + xs[col] + x) * 4;
          const i = (Math.floor(y / scale) * w + Math.floor(x / scale)) * c;
          for (let k = 0; k < 3; k++) {
            const v = t[i + (c === 1 ? 0 : k)];
            rgba[o + k] = v >= 1 ? 255 : v > 0 ? Math.round(v * 255) : 0;
          }
          rgba[o + 3] = 255;
        }
    }
  return { width: W, height: H, rows, columns, tileWidth: tw, tileHeight: th, xs, ys, rgba, png: await encodePng(rgba, W, H, 4) };
}

function splitImages(t: tf.Tensor4D): Float32Array[] {
  const data = t.dataSync() as Float32Array;
  const size = t.shape[1] * t.shape[2] * t.shape[3];
  return Array.from({ length: t.shape[0] }, (_, i) => data.slice(i * size, (i + 1) * size));
}

function checkBetas(betas: readonly number[]): void {
  if (betas.length === 0 || betas.some((b) => !(b > 0) || !Number.isFinite(b))) throw new Error(`betas must be a non-empty list of positive numbers, got [${betas.join(', ')}]`);
}

/**
 * Test images (rows) and their reconstructions at each β (columns), the first column being the
 * input. Reconstructions decode the posterior mean (no sampling noise) and show the decoder's mean
 * image. An unconditioned model ignores β, so pass it only its own β.
 */
export async function reconstructionGrid(model: VaeModel, images: tf.Tensor4D, betas: readonly number[], options: GridOptions & { showInput?: boolean } = {}): Promise<ImageGrid> {
  checkBetas(betas);
  const { height, width, imageChannels } = model.config;
  if (images.rank !== 4 || images.shape[1] !== height || images.shape[2] !== width || images.shape[3] !== imageChannels)
    throw new Error(`reconstructionGrid: images must be [n, ${height}, ${width}, ${imageChannels}], got [${images.shape.join(', ')}]`);
  const n = images.shape[0];
  const columns: Float32Array[][] = [];
  if (options.showInput ?? true) columns.push(splitImages(images));
  for (const beta of betas) {
    const out = reconstructAt(model, images, beta);
    columns.push(splitImages(out));
    out.dispose();
  }
  const rows = Array.from({ length: n }, (_, r) => columns.map((col) => col[r]));
  return tileGrid(rows, height, width, imageChannels === 1 ? 1 : 3, options);
}

/**
 * `n` samples from the prior (rows) decoded at each β (columns). Each row uses the same latent z at
 * every β, so a row shows how the decoder's reading of one code changes with β.
 */
export async function priorSamples(model: VaeModel, betas: readonly number[], n: number, options: GridOptions & { seed?: number } = {}): Promise<ImageGrid> {
  checkBetas(betas);
  if (!Number.isInteger(n) || n < 1) throw new Error(`priorSamples: n must be an integer ≥ 1, got ${n}`);
  const { height, width, imageChannels, latent } = model.config;
  const rng = streamRng(options.seed ?? 0, STREAM.prior);
  const z = tf.tensor2d(Float32Array.from({ length: n * latent }, () => rng.normal()), [n, latent]);
  const columns: Float32Array[][] = [];
  for (const beta of betas) {
    const out = decodeAt(model, z, beta);
    columns.push(splitImages(out));
    out.dispose();
  }
  z.dispose();
  const rows = Array.from({ length: n }, (_, r) => columns.map((col) => col[r]));
  return tileGrid(rows, height, width, imageChannels === 1 ? 1 : 3, options);
}
