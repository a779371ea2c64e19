// The compression experiment's worker-side work for the report: the classical codecs' sweep on the
// evaluation images (cached beside the report) and the gallery. Loaded only inside a worker.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createTask, decodeImageU8, listImageFiles, loadTrained, requireDataset } from '@yoto/core';
import {
  compressAt,
  cropImage,
  decompress,
  psnr,
  type BlsFactorizedTask,
  type FactorizedPrior,
  type ImageU8,
} from '@yoto/tasks-compression';
import { writeFileAtomic } from '@yoto/tracker';
import { isControl } from '../baseline-plan.js';
import type { PictureArtifact, PicturesContext } from '../types.js';
import { composeGallery, type GalleryTile } from './gallery-image.js';
import { type CompressionPictureOptions, REFERENCE_CACHE, referenceSettings } from './reference-cache.js';
import { cachedReferenceSweep, codeWith } from './reference-codecs.js';
import { compressionSweepAnimation } from './sweep-animation.js';
import { fmt } from '../format.js';

/** The images the task evaluates on (same limit and crop), for the reference codecs. */
export async function evaluationImagesOf(plan: PicturesContext['plan']): Promise<ImageU8[]> {
  await import(plan.task.package);
  const task = createTask(plan.task.name, plan.task.options) as BlsFactorizedTask;
  return task.evaluationImages(plan.evaluation.limit > 0 ? plan.evaluation.limit : Infinity);
}

export async function compressionPictures(ctx: PicturesContext): Promise<PictureArtifact[]> {
  const options = ctx.plan.pictures as unknown as CompressionPictureOptions;
  const settings = referenceSettings(ctx.plan);
  const reference = settings.codecs.length
    ? await cachedReferenceSweep(join(ctx.outDir, REFERENCE_CACHE), await evaluationImagesOf(ctx.plan), settings)
    : null;
  return [await gallery(ctx, options, reference !== null && settings.codecs.includes('jpeg')), await compressionSweepAnimation(ctx)];
}

/**
 * One Kodak crop (coded as an image of its own) at each gallery λ: the YOTO model (one model, every
 * column), the baseline trained at that λ (blank where none was), and JPEG at the highest quality
 * whose file is no larger than the YOTO model's, so the three rows compare at about equal rate.
 */
async function gallery(ctx: PicturesContext, options: CompressionPictureOptions, withJpeg: boolean): Promise<PictureArtifact> {
  const g = options.gallery;
  const kodak = requireDataset('kodak');
  const file = listImageFiles(kodak).find((f) => f.replace(/^.*[/\\]/, '').replace(/\.[^.]+$/, '') === g.image);
  if (!file || !existsSync(file)) throw new Error(`gallery.image: no image '${g.image}' in ${kodak}`);
  const full = await decodeImageU8(file);
  if (g.x + g.size > full.width || g.y + g.size > full.height)
    throw new Error(`gallery: a ${g.size}×${g.size} window at (${g.x}, ${g.y}) does not fit ${g.image} (${full.width}×${full.height})`);
  const crop = cropImage({ width: full.width, height: full.height, data: full.data }, g.x, g.y, g.size, g.size);

  await import(ctx.plan.task.package);
  const yotoRef = ctx.models.find((m) => m.kind === 'yoto');
  if (!yotoRef) throw new Error('gallery: no YOTO model');
  const models: FactorizedPrior[] = [];
  try {
    const yoto = (await loadTrained<FactorizedPrior>(yotoRef.checkpoint, { task: ctx.plan.task.name })).model;
    models.push(yoto);
    const baselines = new Map<number, FactorizedPrior>();
    // The equal-steps control shares a baseline's λ; the gallery's baseline row shows the baselines.
    for (const m of ctx.models.filter((x) => x.kind === 'baseline' && !isControl(x.runKey))) {
      const model = (await loadTrained<FactorizedPrior>(m.checkpoint, { task: ctx.plan.task.name })).model;
      models.push(model);
      baselines.set(m.lambda!.distortion, model);
    }
    const pixels = g.size * g.size;
    const code = (model: FactorizedPrior, lambda: number): { image: ImageU8; bpp: number; psnr: number } => {
      const enc = compressAt(model, crop, lambda);
      const image = decompress(model, enc.bytes).image;
      return { image, bpp: enc.bpp, psnr: psnr(crop.data, image.data) };
    };
    const rows: { name: string; tiles: (GalleryTile | null)[] }[] = [
      { name: 'YOTO', tiles: [] },
      { name: 'baseline', tiles: [] },
      ...(withJpeg ? [{ name: 'JPEG', tiles: [] as (GalleryTile | null)[] }] : []),
    ];
    const original: GalleryTile = { image: crop, lines: ['original', `${g.image} ${g.size}×${g.size}`] };
    for (const lambda of g.lambdas) {
      const y = code(yoto, lambda);
      rows[0].tiles.push({ image: y.image, lines: [`YOTO λ=${fmt(lambda, 3)}`, `${y.bpp.toFixed(3)} bpp · ${y.psnr.toFixed(2)} dB`] });
      const base = [...baselines.entries()].find(([l]) => Math.abs(l / lambda - 1) < 1e-9)?.[1];
      if (base) {
        const b = code(base, lambda);
        rows[1].tiles.push({ image: b.image, lines: [`baseline λ=${fmt(lambda, 3)}`, `${b.bpp.toFixed(3)} bpp · ${b.psnr.toFixed(2)} dB`] });
      } else rows[1].tiles.push(null);
      if (withJpeg) {
        const j = await jpegAtMost(crop, y.bpp * pixels);
        rows[2].tiles.push({
          image: j.decoded,
          lines: [
            `JPEG q=${j.quality}${j.bytes * 8 > y.bpp * pixels ? ' (smallest)' : ''}`,
            `${((8 * j.bytes) / pixels).toFixed(3)} bpp · ${psnr(crop.data, j.decoded.data).toFixed(2)} dB`,
          ],
        });
      }
    }
    const png = await composeGallery(rows.map((r, i) => [i === 0 ? original : null, ...r.tiles]));
    const path = join(ctx.outDir, 'gallery.png');
    writeFileAtomic(path, png);
    return {
      path,
      title: 'Gallery: one Kodak crop across λ',
      caption:
        `${g.image} (${g.size}×${g.size} at ${g.x},${g.y}) coded as its own image with the real coder at λ = ${g.lambdas.map((l) => fmt(l, 3)).join(', ')}: ` +
        'the single YOTO model (top row, after the original), the fixed-λ baseline trained at that λ (blank where none was)' +
        (withJpeg ? ', and JPEG at the highest quality whose file is not larger than the YOTO one' : '') +
        '; labels give bpp of the crop and PSNR',
    };
  } finally {
    for (const m of models) m.params.dispose();
  }
}

/** JPEG at the highest quality whose file has at most `bits` (quality 1 when none does). */
async function jpegAtMost(image: ImageU8, bits: number): Promise<{ quality: number; bytes: number; decoded: ImageU8 }> {
  let lo = 1;
  let hi = 100;
  let best = { quality: 1, ...(await codeWith(image, 'jpeg', 1)) };
  if (best.bytes * 8 > bits) return best;
  // File size grows with quality (not strictly, but closely enough for a picture).
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const c = await codeWith(image, 'jpeg', mid);
    if (c.bytes * 8 <= bits) {
      lo = mid;
      best = { quality: mid, ...c };
    } else hi = mid - 1;
  }
  return best;
}

