import { basename, extname } from 'node:path';
import { decodeImageU8, findDataset, listImageFiles } from '@yoto/core';
import type { ExperimentPlan } from '../experiments/types.js';
import { rawImage } from './raw-image.js';
import type { TaskRoute } from './server.js';

/** What the compression page is told by the server (`/panel.json`). */
export interface CompressionPanel {
  kind: 'compression';
  /** Kodak file stems the server sends (`/image/<stem>`); empty when the data root lacks Kodak. */
  images: string[];
  /** Where the Kodak images come from, or why there are none (the page says so). */
  source: string;
  /** Side of the centre crop the page codes by default (the 256×256 round trip). */
  crop: number;
}

const CROP = 256;

/** The data root's Kodak files by stem (kodim01 …), in file order; empty without the dataset. */
function kodakFiles(plan: ExperimentPlan): { dir: string | null; byStem: Map<string, string>; dataRoot?: string } {
  const dataRoot = (plan.task.options as { dataRoot?: string }).dataRoot;
  const dir = findDataset('kodak', dataRoot);
  return { dir, dataRoot, byStem: new Map((dir ? listImageFiles(dir) : []).map((f) => [basename(f, extname(f)), f])) };
}

/** The compression page's panel: the Kodak images it can pick from (the experiment's evaluation set). */
export function compressionPanel(plan: ExperimentPlan): CompressionPanel {
  const { dir, byStem, dataRoot } = kodakFiles(plan);
  return {
    kind: 'compression',
    images: [...byStem.keys()],
    source: dir ?? `no Kodak under the data root (${dataRoot ?? 'YOTO_DATA'}); \`pnpm data fetch kodak\` gets it`,
    crop: CROP,
  };
}

/** `/image/<stem>`: a Kodak image as raw RGB (`rawImage`), decoded by core's decoder as the Node codec and the evaluation decode it. */
export function kodakRoute(plan: ExperimentPlan): TaskRoute {
  const { byStem } = kodakFiles(plan);
  return async (path) => {
    const m = /^\/image\/([\w.-]+)$/.exec(path);
    if (!m) return null;
    const file = byStem.get(m[1]);
    if (!file) return { status: 404, type: 'text/plain', body: `no Kodak image ${m[1]}` };
    return rawImage(await decodeImageU8(file));
  };
}
