// Pictures for the vae-beta-sweep report. Loaded only inside a worker (it pulls in tfjs).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadTrained } from '@yoto/core';
import { decodeAt as decode, fixedLatents, reconstructAt as reconstruct, termsAt, tileGrid, type ImageGrid, type VaeModel, type VaeTask } from '@yoto/tasks-vae';
import { escapeXml, svgToPng, writeFileAtomic } from '@yoto/tracker';
import type { PictureArtifact, PicturesContext } from './types.js';
import { fmt } from './format.js';
import { animatedWebp, EXPLORE_HINT, FRAME_MS } from './sweep-animation.js';

export interface VaePictureOptions {
  images: number;
  samples: number;
  columns: number;
}

/** 28-px digits are too small to read in a report: tiles are drawn 3× (nearest neighbour). */
const SCALE = 3;
/** Tile layout shared by both pictures: row pairs (YOTO over baseline) set apart from each other. */
const LAYOUT = { pad: 2, scale: SCALE, rowGroup: 2, groupGap: 8 } as const;

/**
 * Two pictures, both with β along the columns: test-image reconstructions and decoded prior samples.
 * Rows come in pairs: the single YOTO model at every column's β, and under it the fixed-β baseline
 * trained at that β (blank where no baseline was trained), on the same input or the same latent.
 */
export async function vaePictures(ctx: PicturesContext): Promise<PictureArtifact[]> {
  const options = ctx.plan.pictures as unknown as VaePictureOptions;
  const term = ctx.plan.report.lambdaTerm;
  const yotoRef = ctx.models.find((m) => m.kind === 'yoto');
  if (!yotoRef) throw new Error('pictures: no YOTO model');
  const loaded = await loadTrained<VaeModel>(yotoRef.checkpoint, { task: ctx.plan.task.name });
  const task = loaded.task as unknown as VaeTask;
  const yoto = loaded.model;
  const baselines = new Map<number, VaeModel>();
  for (const m of ctx.models.filter((x) => x.kind === 'baseline'))
    baselines.set(m.lambda![term], (await loadTrained<VaeModel>(m.checkpoint, { task: ctx.plan.task.name })).model);

  const betas = columnBetas(ctx.plan.grid.map((l) => l[term]), [...baselines.keys()], options.columns);
  const { height: h, width: w, imageChannels } = yoto.config;
  const size = h * w * imageChannels;
  const blank = new Float32Array(size).fill(1);
  const c = imageChannels === 1 ? 1 : 3;
  mkdirSync(ctx.outDir, { recursive: true });
  const label = betas.map((b) => fmt(b)).join(', ');
  const out: PictureArtifact[] = [];
  try {
    const n = Math.min(options.images, task.testSize);
    const images = task.testImages(n);
    const inputs = split(images, size, false);
    const yotoRecon = betas.map((b) => split(reconstruct(yoto, images, b), size));
    const baseRecon = betas.map((b) => (baselines.has(b) ? split(reconstruct(baselines.get(b)!, images, b), size) : null));
    images.dispose();
    const rows: Float32Array[][] = [];
    for (let i = 0; i < n; i++) {
      rows.push([inputs[i], ...yotoRecon.map((col) => col[i])]);
      rows.push([blank, ...baseRecon.map((col) => (col ? col[i] : blank))]);
    }
    const recon = await tileGrid(rows, h, w, c, LAYOUT);
    const headers = betas.map((b) => `${ctx.plan.report.lambdaTitle} = ${fmt(b)}`);
    const pairLabels = (n: number) => Array.from({ length: 2 * n }, (_, i) => (i % 2 === 0 ? 'YOTO' : 'baseline'));
    const note = 'Row pairs: the one YOTO model (upper) and the baseline trained at that column’s β (lower; blank: none trained)';
    out.push({
      path: writeAtomic(join(ctx.outDir, 'reconstructions.png'), labelGrid(recon, { columns: ['input', ...headers], rows: pairLabels(n), note })),
      title: 'Reconstructions across β',
      caption:
        `${n} test images in row pairs: the YOTO model (upper row: input, then β = ${label}) and the fixed-β ` +
        'baselines (lower row, under their own β; blank where none was trained)',
    });

    const m = options.samples;
    const z = tf.tensor2d(fixedLatents(m, yoto.config.latent), [m, yoto.config.latent]);
    const yotoSamples = betas.map((b) => split(decode(yoto, z, b), size));
    const baseSamples = betas.map((b) => (baselines.has(b) ? split(decode(baselines.get(b)!, z, b), size) : null));
    z.dispose();
    const sampleRows: Float32Array[][] = [];
    for (let i = 0; i < m; i++) {
      sampleRows.push(yotoSamples.map((col) => col[i]));
      sampleRows.push(baseSamples.map((col) => (col ? col[i] : blank)));
    }
    const samples = await tileGrid(sampleRows, h, w, c, LAYOUT);
    out.push({
      path: writeAtomic(
        join(ctx.outDir, 'prior-samples.png'),
        labelGrid(samples, { columns: headers, rows: pairLabels(m), note: `${note}; one latent z per row pair` }),
      ),
      title: 'Samples from the prior across β',
      caption:
        `${m} latent codes z ~ N(0, I) in row pairs: decoded by the YOTO model at β = ${label} (upper row) and by ` +
        'the baseline trained at that β (lower row; blank where none was trained); one z per row pair',
    });
    out.push(await sweepAnimation(ctx, task, yoto, { n, term, size }));
  } finally {
    yoto.params.dispose();
    for (const b of baselines.values()) b.params.dispose();
  }
  return out;
}

/**
 * The λ sweep made by the one model, as the papers' demo animations: an animated WebP whose frames
 * are the YOTO model's reconstructions and prior samples at each grid β, in order, each frame
 * naming its β and the model's own reconstruction and KL on those digits (also in the caption).
 */
async function sweepAnimation(ctx: PicturesContext, task: VaeTask, yoto: VaeModel, o: { n: number; term: string; size: number }): Promise<PictureArtifact> {
  const { height: h, width: w, imageChannels, latent } = yoto.config;
  const c = imageChannels === 1 ? 1 : 3;
  const betas = [...new Set(ctx.plan.grid.map((l) => l[o.term]))].sort((a, b) => a - b);
  const images = task.testImages(o.n);
  const z = tf.tensor2d(fixedLatents(o.n, latent), [o.n, latent]);
  const frames: Buffer[] = [];
  const lines: string[] = [];
  try {
    for (const beta of betas) {
      const terms = await termsAt(task, yoto, images, beta);
      const rows = [split(reconstruct(yoto, images, beta), o.size), split(decode(yoto, z, beta), o.size)];
      const line = `${ctx.plan.report.lambdaTitle} = ${fmt(beta)}: reconstruction ${terms.reconstruction.toFixed(1)} nats, KL ${terms.kl.toFixed(2)} nats`;
      lines.push(line);
      frames.push(labelGrid(await tileGrid(rows, h, w, c, { pad: 2, scale: SCALE }), { columns: [], rows: ['reconstructions', 'prior samples'], note: line }));
    }
  } finally {
    tf.dispose([images, z]);
  }
  const webp = await animatedWebp(frames);
  const record = ctx.plan.report;
  return {
    path: writeAtomic(join(ctx.outDir, 'lambda-sweep.webp'), webp),
    title: `The ${record.lambdaTitle} sweep of the one YOTO model (animation)`,
    caption:
      `${frames.length} frames, one per grid ${record.lambdaTitle}, ${FRAME_MS} ms each: the YOTO model's reconstructions of ${o.n} test digits and its ` +
      `decoding of ${o.n} fixed latent codes. The model's own terms on these digits (posterior mean): ${lines.join('; ')}. ${EXPLORE_HINT}`,
  };
}

export interface GridLabels {
  /** A header per column (drawn above it); null for none. */
  columns: (string | null)[];
  /** A label per row (drawn left of it); null for none. */
  rows: (string | null)[];
  /** One line under the picture. */
  note?: string;
}

const FONT = `'DejaVu Sans', sans-serif`;
const LABEL_SIZE = 14;

/**
 * The grid with column headers above, row labels to the left and an optional note below, as a PNG:
 * an SVG embedding the grid at its own size (so no resampling) rendered by the tracker's resvg
 * renderer, which has DejaVu Sans, the report's font.
 */
export function labelGrid(grid: ImageGrid, labels: GridLabels): Buffer {
  if (labels.columns.length > grid.columns || labels.rows.length > grid.rows)
    throw new Error(`labelGrid: ${labels.columns.length} column and ${labels.rows.length} row labels for a ${grid.rows}×${grid.columns} grid`);
  // DejaVu Sans averages ~0.6 em per character; a generous estimate only widens the margin.
  const widest = Math.max(0, ...labels.rows.map((l) => (l ?? '').length));
  const left = widest ? Math.ceil(widest * LABEL_SIZE * 0.62) + 12 : 0;
  const top = labels.columns.some((l) => l) ? LABEL_SIZE + 14 : 0;
  const bottom = labels.note ? 26 : 0;
  // A note longer than the grid widens the picture instead of being cut off (12 px text, same estimate).
  const width = Math.max(left + grid.width, labels.note ? left + 2 + Math.ceil(labels.note.length * 12 * 0.62) + 8 : 0);
  const height = top + grid.height + bottom;
  const text: string[] = [];
  labels.columns.forEach((l, i) => {
    if (l) text.push(`<text x="${left + grid.xs[i] + grid.tileWidth / 2}" y="${top - 8}" text-anchor="middle">${escapeXml(l)}</text>`);
  });
  labels.rows.forEach((l, i) => {
    // 0.35 em below the tile's middle puts the x-height of the label at its centre.
    if (l) text.push(`<text x="${left - 8}" y="${(top + grid.ys[i] + grid.tileHeight / 2 + 0.35 * LABEL_SIZE).toFixed(1)}" text-anchor="end">${escapeXml(l)}</text>`);
  });
  if (labels.note)
    text.push(`<text x="${left + 2}" y="${top + grid.height + 18}" font-size="12" fill="#555555">${escapeXml(labels.note)}</text>`);
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<rect width="${width}" height="${height}" fill="white"/>` +
    `<image x="${left}" y="${top}" width="${grid.width}" height="${grid.height}" image-rendering="optimizeSpeed" ` +
    `xlink:href="data:image/png;base64,${grid.png.toString('base64')}"/>` +
    `<g font-family="${FONT}" font-size="${LABEL_SIZE}" fill="#222222">${text.join('')}</g></svg>`;
  return svgToPng(svg, 1);
}

/** Up to `columns` grid values spread evenly (ends included), plus every baseline β. */
export function columnBetas(grid: number[], baselines: number[], columns: number): number[] {
  const sorted = [...grid].sort((a, b) => a - b);
  const k = Math.max(2, Math.min(columns, sorted.length));
  const picked = new Set(Array.from({ length: k }, (_, i) => sorted[Math.round((i * (sorted.length - 1)) / (k - 1))]));
  for (const b of baselines) picked.add(b);
  return [...picked].sort((a, b) => a - b);
}

/** One Float32Array per image; `consume` disposes the tensor afterwards. */
export function split(t: tf.Tensor4D, size: number, consume = true): Float32Array[] {
  const data = t.dataSync() as Float32Array;
  const out = Array.from({ length: t.shape[0] }, (_, i) => data.slice(i * size, (i + 1) * size));
  if (consume) t.dispose();
  return out;
}

/** Writes through the tracker's atomic writer (a half-written picture never replaces a good one). */
function writeAtomic(path: string, data: Uint8Array): string {
  writeFileAtomic(path, data);
  return path;
}

