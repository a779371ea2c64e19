// The compression report's λ-sweep animation: the gallery's Kodak crop coded to a real file by the one
// YOTO model at each grid λ and decoded, one frame per λ beside the original. Loaded only in a worker.
import { join } from 'node:path';
import { decodeImageU8, listImageFiles, loadTrained, requireDataset } from '@yoto/core';
import { codecContext, cropImage, type FactorizedPrior, roundTrip } from '@yoto/tasks-compression';
import { writeFileAtomic } from '@yoto/tracker';
import { fmt } from '../format.js';
import { animatedWebp, EXPLORE_HINT, FRAME_MS } from '../sweep-animation.js';
import type { PictureArtifact, PicturesContext } from '../types.js';
import { composeGallery } from './gallery-image.js';
import type { CompressionPictureOptions } from './reference-cache.js';

export async function compressionSweepAnimation(ctx: PicturesContext): Promise<PictureArtifact> {
  const g = (ctx.plan.pictures as unknown as CompressionPictureOptions).gallery;
  const term = ctx.plan.report.lambdaTerm;
  const kodak = requireDataset('kodak');
  const file = listImageFiles(kodak).find((f) => f.replace(/^.*[/\\]/, '').replace(/\.[^.]+$/, '') === g.image);
  if (!file) throw new Error(`gallery.image: no image '${g.image}' in ${kodak}`);
  const full = await decodeImageU8(file);
  const crop = cropImage({ width: full.width, height: full.height, data: full.data }, g.x, g.y, g.size, g.size);
  const yotoRef = ctx.models.find((m) => m.kind === 'yoto');
  if (!yotoRef) throw new Error('sweep animation: no YOTO model');
  await import(ctx.plan.task.package);
  const yoto = (await loadTrained<FactorizedPrior>(yotoRef.checkpoint, { task: ctx.plan.task.name })).model;
  const lambdas = [...new Set(ctx.plan.grid.map((l) => l[term]))].sort((a, b) => a - b);
  const frames: Buffer[] = [];
  const lines: string[] = [];
  try {
    const codec = codecContext(yoto);
    const original = { image: crop, lines: ['original', `${g.image} ${g.size}×${g.size}`] };
    for (const lambda of lambdas) {
      const r = roundTrip(yoto, crop, lambda, codec);
      const line = `${r.encoded.bpp.toFixed(3)} bpp · ${r.psnr.toFixed(2)} dB`;
      lines.push(`λ = ${fmt(lambda, 3)}: ${r.encoded.bytes.length} bytes, ${line}${r.msSsim === null ? '' : `, MS-SSIM ${r.msSsim.toFixed(4)}`}`);
      frames.push(await composeGallery([[original, { image: r.decoded, lines: [`YOTO λ=${fmt(lambda, 3)}`, line] }]]));
    }
  } finally {
    yoto.params.dispose();
  }
  const path = join(ctx.outDir, 'lambda-sweep.webp');
  writeFileAtomic(path, await animatedWebp(frames));
  return {
    path,
    title: 'The λ sweep of the one YOTO model (animation)',
    caption:
      `${frames.length} frames, one per grid λ, ${FRAME_MS} ms each: ${g.image} (${g.size}×${g.size} at ${g.x},${g.y}) coded to a real file by the ` +
      `YOTO model and decoded, beside the original. ${lines.join('; ')}. ${EXPLORE_HINT}`,
  };
}
