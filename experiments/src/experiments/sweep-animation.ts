// The report's λ-sweep animation (issue 13), shared by the experiments: frames made by the one YOTO
// model at each grid λ, in order, as an animated WebP through sharp, like the papers' demo animations.
import sharp from 'sharp';

/** Milliseconds each frame stays on screen. */
export const FRAME_MS = 700;

/** The caption's last sentence: where to turn λ live. */
export const EXPLORE_HINT = 'Turn it yourself, between the grid points too: `pnpm exp explore <experiment> [--profile p]`.';

/**
 * Frames (encoded pictures sharp reads, e.g. PNG; all the same size) as one looping, lossless
 * animated WebP, each shown FRAME_MS.
 */
export async function animatedWebp(frames: Buffer[]): Promise<Buffer> {
  if (frames.length === 0) throw new Error('sweep animation: no frames');
  const raw: Buffer[] = [];
  let width = 0;
  let height = 0;
  for (const frame of frames) {
    const { data, info } = await sharp(frame).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    if (raw.length && (info.width !== width || info.height !== height)) throw new Error(`sweep animation: frame ${raw.length} is ${info.width}×${info.height}, the first ${width}×${height}`);
    width = info.width;
    height = info.height;
    raw.push(data);
  }
  return sharp(Buffer.concat(raw), { raw: { width, height: height * raw.length, channels: 4, pageHeight: height } })
    .webp({ loop: 0, delay: raw.map(() => FRAME_MS), lossless: true })
    .toBuffer();
}
