// Pictures for the style-adjustable report. Loaded only inside a worker (it pulls in tfjs).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadTrained, writeFileAtomic } from '@yoto/core';
// The value import registers the task.
import { type StyleModel, type StyleTask, registerStyleTasks } from '@yoto/tasks-style';
import { tileGrid } from '@yoto/tasks-vae';
import type { PictureArtifact, PicturesContext } from './types.js';
import { labelGrid, split } from './vae-pictures.js';
import { fmt } from './format.js';

export interface StylePictureOptions {
  /** Held-out photos shown. */
  images: number;
  /** Content weights of the matrix columns. */
  content: number[];
  /** Rows of the matrix: a name and the style weights (style1…style4) of that row. */
  rows: { name: string; styles: number[] }[];
}

const TERMS = ['content', 'style1', 'style2', 'style3', 'style4'] as const;

/**
 * Two pictures. The matrix: one held-out photo per block, stylized by the one YOTO model with the
 * content weight rising along the columns and the dominant style layer changing down the rows. The
 * comparison: at each baseline's setting, the YOTO output above the baseline's, for several photos.
 */
export async function stylePictures(ctx: PicturesContext): Promise<PictureArtifact[]> {
  const o = ctx.plan.pictures as unknown as StylePictureOptions;
  registerStyleTasks();
  const yotoRef = ctx.models.find((m) => m.kind === 'yoto');
  if (!yotoRef) throw new Error('pictures: no YOTO model');
  const trained = await loadTrained<StyleModel>(yotoRef.checkpoint, { task: ctx.plan.task.name });
  const yoto = trained.model;
  // The photos come from the task the YOTO model was trained with.
  const task = trained.task as StyleTask;
  await task.prepare();
  const baselines = [];
  for (const m of ctx.models.filter((x) => x.kind === 'baseline'))
    baselines.push({ lambda: m.lambda!, model: (await loadTrained<StyleModel>(m.checkpoint, { task: ctx.plan.task.name })).model, key: m.runKey });
  const s = task.imageSize;
  const size = s * s * 3;
  // Small training sizes are drawn enlarged (nearest neighbour) so that strokes are visible.
  const layout = { pad: 2, scale: Math.max(1, Math.round(128 / s)), rowGroup: 2, groupGap: 8 } as const;
  mkdirSync(ctx.outDir, { recursive: true });
  const n = Math.min(o.images, task.heldOutSize);
  const photos = await task.heldOutImages(n);
  const inputs = split(photos, size, false);
  const out: PictureArtifact[] = [];
  try {
    // The matrix: for each photo, a block of rows (one per style mix) × (photo, content weights).
    const rows: Float32Array[][] = [];
    const rowLabels: string[] = [];
    for (const r of o.rows) {
      const cols = o.content.map((c) => split(stylize(yoto, photos, [c, ...r.styles]), size));
      for (let i = 0; i < n; i++) {
        rows[i * o.rows.length + o.rows.indexOf(r)] = [inputs[i], ...cols.map((col) => col[i])];
        rowLabels[i * o.rows.length + o.rows.indexOf(r)] = r.name;
      }
    }
    const matrix = await tileGrid(rows, s, s, 3, { ...layout, rowGroup: o.rows.length });
    await writeFileAtomic(
      join(ctx.outDir, 'style-matrix.png'),
      labelGrid(matrix, { columns: ['photo', ...o.content.map((c) => `content ${fmt(c, 3)}`)], rows: rowLabels, note: 'One YOTO model: content weight along the columns, the dominant style layer down the rows' }),
    );
    out.push({
      path: join(ctx.outDir, 'style-matrix.png'),
      title: 'One model, many stylizations',
      caption: `${n} held-out photos stylized by the single YOTO model: content weight ${o.content.map((c) => fmt(c, 3)).join(', ')} (columns); rows: all style layers at mid weight, then each style layer alone (shallow → deep)`,
    });

    if (baselines.length > 0) {
      const pairRows: Float32Array[][] = [];
      const pairLabels: string[] = [];
      for (const b of baselines) {
        const lambda = TERMS.map((t) => b.lambda[t]);
        const y = split(stylize(yoto, photos, lambda), size);
        const base = split(stylize(b.model, photos, lambda), size);
        pairRows.push([...y], [...base]);
        pairLabels.push(`YOTO @ ${b.key.replace(/^baseline-/, '')}`, 'baseline');
      }
      const grid = await tileGrid([inputs, ...pairRows], s, s, 3, { ...layout, rowGroup: 1, groupGap: 0 });
      await writeFileAtomic(
        join(ctx.outDir, 'style-baselines.png'),
        labelGrid(grid, { columns: inputs.map(() => null), rows: ['photo', ...pairLabels], note: 'Row pairs: the YOTO model at a baseline’s setting (upper) and that baseline (lower)' }),
      );
      out.push({ path: join(ctx.outDir, 'style-baselines.png'), title: 'YOTO beside each baseline', caption: `At each baseline's setting: the YOTO model (upper) and the baseline trained there (lower), on ${n} held-out photos` });
    }
  } finally {
    photos.dispose();
    yoto.dispose();
    for (const b of baselines) b.model.dispose();
    task.dispose();
  }
  return out;
}

/** The model's output for every photo at one λ vector (a baseline ignores λ). */
function stylize(model: StyleModel, photos: tf.Tensor4D, lambda: number[]): tf.Tensor4D {
  const cond = model.conditioned ? model.space.condition(lambda, photos.shape[0]) : null;
  try {
    return tf.tidy(() => model.stylize(photos, model.norms(cond)));
  } finally {
    cond?.dispose();
  }
}

