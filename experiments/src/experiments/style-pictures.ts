// Pictures for the style-adjustable report. Loaded only inside a worker (it pulls in tfjs).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadTrained, writeFileAtomic } from '@yoto/core';
// The value import registers the task.
import { loadResized, type StyleModel, StyleTask, registerStyleTasks } from '@yoto/tasks-style';
import { tileGrid } from '@yoto/tasks-vae';
import type { PictureArtifact, PicturesContext } from './types.js';
import { labelGrid, split } from './vae-pictures.js';
import { fmt } from './format.js';
import { animatedWebp, FRAME_MS } from './sweep-animation.js';

export interface StylePictureOptions {
  /** Held-out photos shown. */
  images: number;
  /** Every named setting (tasks-style's `styleSettings`), in order: the report's lines and the pictures' labels. */
  settings: { name: string; lambda: Record<string, number> }[];
  /** Content weights of the matrix columns. */
  content: number[];
  /** Rows of the matrix: a name and the style weights (style1…style4) of that row. */
  rows: { name: string; styles: number[] }[];
  /** Pixel-optimisation steps of the loss-choice picture (0: no picture). */
  lossChoiceSteps: number;
}

const TERMS = ['content', 'style1', 'style2', 'style3', 'style4'] as const;

interface Drawing {
  ctx: PicturesContext;
  o: StylePictureOptions;
  task: StyleTask;
  yoto: StyleModel;
  photos: tf.Tensor4D;
  inputs: Float32Array[];
  n: number;
  layout: { pad: number; scale: number; rowGroup: number; groupGap: number };
}

/**
 * The report's pictures: the matrix (one model over content weight × dominant style layer), each
 * baseline beside the YOTO model at its setting, the loss choice (what raw and softmax Grams ask
 * for), and the content-weight sweep as an animation.
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
  const baselines: { lambda: Record<string, number>; model: StyleModel; key: string }[] = [];
  const s = task.imageSize;
  mkdirSync(ctx.outDir, { recursive: true });
  const n = Math.min(o.images, task.heldOutSize);
  const photos = await task.heldOutImages(n);
  // Small training sizes are drawn enlarged (nearest neighbour) so that strokes are visible.
  const d: Drawing = { ctx, o, task, yoto, photos, inputs: split(photos, s * s * 3, false), n, layout: { pad: 2, scale: Math.max(1, Math.round(128 / s)), rowGroup: 1, groupGap: 0 } };
  try {
    for (const m of ctx.models.filter((x) => x.kind === 'baseline'))
      baselines.push({ lambda: m.lambda!, model: (await loadTrained<StyleModel>(m.checkpoint, { task: ctx.plan.task.name })).model, key: m.runKey });
    const out = [await matrix(d)];
    if (baselines.length > 0) out.push(await besideBaselines(d, baselines));
    if (o.lossChoiceSteps > 0) out.push(await lossChoice(d));
    out.push(await contentAnimation(d));
    return out;
  } finally {
    photos.dispose();
    yoto.dispose();
    for (const b of baselines) b.model.dispose();
    task.dispose();
  }
}

/** For each photo, a block of rows (one per style mix) × (photo, content weights). */
async function matrix({ ctx, o, yoto, photos, inputs, n, task, layout }: Drawing): Promise<PictureArtifact> {
  const s = task.imageSize;
  const rows: Float32Array[][] = [];
  const rowLabels: string[] = [];
  o.rows.forEach((r, k) => {
    const cols = o.content.map((c) => split(stylize(yoto, photos, [c, ...r.styles]), s * s * 3));
    for (let i = 0; i < n; i++) {
      rows[i * o.rows.length + k] = [inputs[i], ...cols.map((col) => col[i])];
      rowLabels[i * o.rows.length + k] = r.name;
    }
  });
  const grid = await tileGrid(rows, s, s, 3, { ...layout, rowGroup: o.rows.length, groupGap: 8 });
  const path = join(ctx.outDir, 'style-matrix.png');
  await writeFileAtomic(
    path,
    labelGrid(grid, { columns: ['photo', ...o.content.map((c) => `content ${fmt(c, 3)}`)], rows: rowLabels, note: 'One YOTO model: content weight along the columns, the dominant style layer down the rows' }),
  );
  return {
    path,
    title: 'One model, many stylizations',
    caption: `${n} held-out photos stylized by the single YOTO model: content weight ${o.content.map((c) => fmt(c, 3)).join(', ')} (columns); rows: all style layers at mid weight, then each style layer alone (shallow → deep)`,
  };
}

/** A row per baseline setting; per photo three columns: the photo, the YOTO model at the setting, the baseline. */
async function besideBaselines({ ctx, o, yoto, photos, inputs, n, task, layout }: Drawing, baselines: { lambda: Record<string, number>; model: StyleModel; key: string }[]): Promise<PictureArtifact> {
  const s = task.imageSize;
  const rows: Float32Array[][] = [];
  const labels: string[] = [];
  for (const b of baselines) {
    const lambda = TERMS.map((t) => b.lambda[t]);
    const y = split(stylize(yoto, photos, lambda), s * s * 3);
    const base = split(stylize(b.model, photos, lambda), s * s * 3);
    rows.push(Array.from({ length: n }, (_, i) => [inputs[i], y[i], base[i]]).flat());
    labels.push(settingName(o, b.lambda) ?? b.key.replace(/^baseline-/, ''));
  }
  const grid = await tileGrid(rows, s, s, 3, layout);
  const path = join(ctx.outDir, 'style-baselines.png');
  await writeFileAtomic(
    path,
    labelGrid(grid, { columns: Array.from({ length: n }, () => ['photo', 'YOTO', 'baseline']).flat(), rows: labels, note: 'Each row a baseline’s setting: per photo, the one YOTO model at that setting beside the baseline trained there' }),
  );
  return {
    path,
    title: 'YOTO beside each baseline',
    caption: `At each baseline's setting (rows: ${labels.join(', ')}), for ${n} held-out photos: the photo, the single YOTO model at that setting, and the baseline trained for it`,
  };
}

/**
 * What the run's style loss asks for, and what the other softmax choice would: one held-out photo's
 * pixels optimised directly (no network) at the style-heavy setting under raw and softmax Grams of
 * the run's loss network, beside the trained YOTO model at that setting.
 */
async function lossChoice({ ctx, o, yoto, photos, inputs, task, layout }: Drawing): Promise<PictureArtifact> {
  const s = task.imageSize;
  const heavy = o.settings.find((x) => x.name === 'style-heavy') ?? o.settings[0];
  const lambda = Object.fromEntries(TERMS.map((t) => [t, heavy.lambda[t]])) as Record<(typeof TERMS)[number], number>;
  const softmax = task.options.softmax ?? true;
  const photo = tf.tidy(() => photos.slice([0, 0, 0, 0], [1, s, s, 3]));
  const other = new StyleTask({ ...task.options, softmax: !softmax, trainLimit: 8 });
  const results: Record<'raw' | 'softmax', { image: Float32Array; loss: number }> = {} as never;
  try {
    for (const [choice, t] of [[softmax ? 'softmax' : 'raw', task], [softmax ? 'raw' : 'softmax', other]] as const) {
      const r = await t.optimisePixels(photo, lambda, { steps: o.lossChoiceSteps });
      results[choice] = { image: split(r.images, s * s * 3)[0], loss: r.loss };
    }
  } finally {
    photo.dispose();
    other.dispose();
  }
  const p = await loadResized(task.stylePath(), s, s);
  const painting = Float32Array.from(p.data, (v) => v / 255);
  const trained = split(stylize(yoto, photos, TERMS.map((t) => lambda[t])), s * s * 3)[0];
  const grid = await tileGrid([[inputs[0], painting, results.raw.image, results.softmax.image, trained]], s, s, 3, layout);
  const n = task.options.lossNetwork;
  const network = typeof n === 'object' ? n.path.replace(/^.*[/\\]/, '') : (n ?? 'mobilenet');
  const mark = (c: boolean) => (c === softmax ? ' (used)' : '');
  const path = join(ctx.outDir, 'style-loss-choice.png');
  await writeFileAtomic(
    path,
    labelGrid(grid, {
      columns: ['photo', 'painting', `raw${mark(false)}`, `softmax${mark(true)}`, 'YOTO'],
      rows: [],
      note: `${network} Grams at ${heavy.name}: pixels optimised ${o.lossChoiceSteps} steps, then the trained model`,
    }),
  );
  return {
    path,
    title: 'Which style loss: raw or softmax Gram matrices',
    caption:
      `One held-out photo's pixels optimised directly (no network, ${o.lossChoiceSteps} Adam steps) towards the painting at the ${heavy.name} setting under ${network} Gram matrices ` +
      `of the raw features (weighted loss ${results.raw.loss.toFixed(3)}) and of the softmax-transformed features (Wang et al. 2021; ${results.softmax.loss.toFixed(3)}; each in its own normalisation), ` +
      `then the trained YOTO model at that setting. This run trained with ${softmax ? 'softmax' : 'raw'} Grams.`,
  };
}

/** The one model over the content weight (style layers at mid weight), one frame per matrix column, as an animated WebP. */
async function contentAnimation({ ctx, o, yoto, photos, inputs, n, task, layout }: Drawing): Promise<PictureArtifact> {
  const s = task.imageSize;
  const styles = o.rows[0].styles;
  const frames: Buffer[] = [];
  for (const c of o.content) {
    const y = split(stylize(yoto, photos, [c, ...styles]), s * s * 3);
    const grid = await tileGrid([inputs, y], s, s, 3, layout);
    // Frames whose notes differ in length may differ in width; animatedWebp pads them to the largest.
    frames.push(labelGrid(grid, { columns: [], rows: ['photo', 'YOTO'], note: `content weight ${fmt(c, 3)}, style layers at ${styles.map((v) => fmt(v, 3)).join('/')}` }));
  }
  const path = join(ctx.outDir, 'lambda-sweep.webp');
  await writeFileAtomic(path, await animatedWebp(frames));
  return {
    path,
    title: 'The content-weight sweep of the one YOTO model (animation)',
    caption: `${frames.length} frames, ${FRAME_MS} ms each: ${n} held-out photos stylized by the YOTO model at content weight ${o.content.map((c) => fmt(c, 3)).join(', ')}, every style layer at ${fmt(styles[0], 3)}`,
  };
}

function settingName(o: StylePictureOptions, lambda: Record<string, number>): string | undefined {
  return o.settings.find((x) => TERMS.every((t) => Math.abs(x.lambda[t] - lambda[t]) <= 1e-9))?.name;
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
