import { isAbsolute, join } from 'node:path';
import { listImageFiles, requireDataset, resolveDataRoot } from '@yoto/core';
import { imageSize, loadResized, type PixelsU8 } from './data.js';
import { type LossNetworkSpec, LOSS_NETWORKS } from './loss-network/presets.js';
import { readLossNetwork } from './loss-network/read.js';
import { type StyleMaterials, StyleTaskDefinition } from './task-definition.js';

// The task with its files: content photos, painting and loss network from the data root (Node).
// Everything else is the portable StyleTaskDefinition, which the browser entry registers instead.

export { STYLE_TASK, type StyleTaskOptions } from './task-definition.js';

/** Names of the held-out and training photos (every n-th file, sorted by name, is held out). */
export function splitContent(files: readonly string[], every: number): { train: string[]; heldOut: string[] } {
  if (!Number.isInteger(every) || every < 2) throw new Error(`style task: holdOutEvery must be an integer ≥ 2, got ${every}`);
  return { train: files.filter((_, i) => i % every !== 0), heldOut: files.filter((_, i) => i % every === 0) };
}

/** Adjustable style transfer on the data root's files (see StyleTaskDefinition). */
export class StyleTask extends StyleTaskDefinition {
  /** The painting's file. */
  stylePath(): string {
    const s = this.options.style ?? '01_vangogh_starry_night.jpg';
    return isAbsolute(s) || s.includes('/') ? s : join(requireDataset('style', this.options.dataRoot), 'styles', s);
  }

  /** The loss network spec (a preset resolved against the data root, or the one given). */
  lossNetworkSpec(): LossNetworkSpec {
    const n = this.options.lossNetwork ?? 'mobilenet';
    const spec = typeof n === 'string' ? LOSS_NETWORKS[n] : n;
    if (!spec) throw new Error(`style task: unknown loss network '${String(n)}'; known: ${Object.keys(LOSS_NETWORKS).join(', ')}, or { path, input, content, style }`);
    return { ...spec, path: isAbsolute(spec.path) ? spec.path : join(resolveDataRoot(this.options.dataRoot), spec.path) };
  }

  /** The content photos' files: training (after trainLimit) and held out, in the task's order. */
  contentFiles(): { train: string[]; heldOut: string[] } {
    const folder = join(requireDataset('style', this.options.dataRoot), 'content_coco');
    const split = splitContent(listImageFiles(folder), this.options.holdOutEvery ?? 10);
    const limit = this.options.trainLimit ?? 0;
    return { train: limit > 0 ? split.train.slice(0, limit) : split.train, heldOut: split.heldOut };
  }

  /** The painting as the loss sees it (longer side `styleSize`, default 2·imageSize). */
  painting(): Promise<PixelsU8> {
    return loadPainting(this.stylePath(), this.options.styleSize ?? 2 * this.imageSize);
  }

  protected override async loadMaterials(): Promise<StyleMaterials> {
    const s = this.imageSize;
    // The painting and the network first: a wrong name fails before 218 photos are decoded.
    const painting = await this.painting();
    const spec = this.lossNetworkSpec();
    const layers = { content: spec.content, style: spec.style };
    const network = readLossNetwork(spec.path, [spec.content, ...spec.style], spec.input);
    try {
      const files = this.contentFiles();
      const train = await Promise.all(files.train.map((f) => loadResized(f, s, s)));
      const heldOut = await Promise.all(files.heldOut.map((f) => loadResized(f, s, s)));
      return { painting, train, heldOut, network, layers };
    } catch (e) {
      network.dispose();
      throw e;
    }
  }
}

async function loadPainting(file: string, longer: number): Promise<PixelsU8> {
  const { width, height } = await imageSize(file);
  if (!(width > 0 && height > 0)) throw new Error(`cannot read image ${file}: no size`);
  const scale = longer / Math.max(width, height);
  // Multiples of 4 keep the loss network's strides exact.
  const w = Math.max(16, Math.round((width * scale) / 4) * 4);
  const h = Math.max(16, Math.round((height * scale) / 4) * 4);
  return loadResized(file, w, h);
}
