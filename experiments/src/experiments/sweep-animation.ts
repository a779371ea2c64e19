// The report's λ-sweep animation (issue 13), shared by the experiments: frames made by the one YOTO
// model at each grid λ, in order, as an animated WebP through sharp, like the papers' demo animations.
import sharp from 'sharp';

/** Milliseconds each frame stays on screen. */
export const FRAME_MS = 700;

/** The caption's last sentence: where to turn λ live. */
export const EXPLORE_HINT = 'Turn it yourself, between the grid points too: `pnpm exp explore <experiment> [--profile p]`.';

/**
 * Frames (encoded pictures sharp reads, e.g. PNG) as one looping, lossless animated WebP, each shown
 * FRAME_MS. Frames of different sizes (a labelled grid widens for a longer note, and each frame's
 * note names its own λ) are padded with white on the right and bottom to the largest, so the
 * pictures stay put while the animation plays.
 */
export async function animatedWebp(frames: Buffer[]): Promise<Buffer> {
  if (frames.length === 0) throw new Error('sweep animation: no frames');
  const decoded = await Promise.all(frames.map((f) => sharp(f).ensureAlpha().raw().toBuffer({ resolveWithObject: true })));
  const width = Math.max(...decoded.map((d) => d.info.width));
  const height = Math.max(...decoded.map((d) => d.info.height));
  const raw = await Promise.all(
    decoded.map(({ data, info }) =>
      info.width === width && info.height === height
        ? data
        : sharp(data, { raw: { width: info.width, height: info.height, channels: 4 } })
            .extend({ right: width - info.width, bottom: height - info.height, background: { r: 255, g: 255, b: 255, alpha: 1 } })
            .raw()
            .toBuffer(),
    ),
  );
  return sharp(Buffer.concat(raw), { raw: { width, height: height * raw.length, channels: 4, pageHeight: height } })
    .webp({ loop: 0, delay: raw.map(() => FRAME_MS), lossless: true })
    .toBuffer();
}
