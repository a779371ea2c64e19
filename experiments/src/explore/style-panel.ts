import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ExperimentPlan } from '../experiments/types.js';
import { rawImage } from './raw-image.js';
import type { TaskRoute } from './server.js';

/** What the style page is told by the server (`/panel.json`); the files themselves are under `/style/`. */
export interface StylePanel {
  kind: 'style';
  /** The held-out content photos (file names), each served at `size`² as `/style/photo/<i>`. */
  photos: string[];
  /** Side of the stylization the page shows (the 256×256). */
  size: number;
  /** The task's training size: the materials of the live estimate are decoded at imageSize². */
  imageSize: number;
  /** Training photos the normalisers are calibrated on (`/style/train/<i>`). */
  calibration: number;
  /** The held-out photos the tracker's evaluation averaged over (`/style/held-out/<i>`), and its batch size. */
  evaluation: { images: number; batchSize: number };
  /** The loss network: its model.json and the shards the five layers need, under `/style/loss-network/`. */
  lossNetwork: { label: string; input: 'unit' | 'symmetric' | 'caffe'; content: string; style: string[]; shards: string[] };
}

const SIZE = 256;

/**
 * The style page's panel and its files: the held-out photos to stylize, and everything the page's
 * live estimate needs to compute the task's own evaluation in the browser (the painting, the
 * calibration photos, the evaluation's held-out photos, the loss network's bytes), decoded by the
 * Node task's own code (StyleTask), so the page sees the pixels the evaluation saw.
 */
export async function stylePanel(plan: ExperimentPlan): Promise<{ panel: StylePanel; route: TaskRoute }> {
  const { StyleTask, checkLossNetworkFiles, loadResized } = await import('@yoto/tasks-style');
  const task = new StyleTask(plan.task.options);
  const spec = task.lossNetworkSpec();
  const files = task.contentFiles();
  const { weights } = checkLossNetworkFiles(spec.path, [spec.content, ...spec.style]);
  const shards = [...new Set(weights.flatMap((w) => w.paths))];
  const calibration = Math.min(task.calibrationImages, files.train.length);
  const limit = plan.evaluation.limit;
  const images = limit > 0 ? Math.min(limit, files.heldOut.length) : files.heldOut.length;
  const s = task.imageSize;
  const panel: StylePanel = {
    kind: 'style',
    photos: files.heldOut.map((f) => basename(f)),
    size: SIZE,
    imageSize: s,
    calibration,
    evaluation: { images, batchSize: plan.evaluation.batchSize },
    lossNetwork: { label: basename(spec.path), input: spec.input, content: spec.content, style: [...spec.style], shards },
  };
  let painting: ReturnType<typeof task.painting> | null = null;
  const route: TaskRoute = async (path) => {
    const m = /^\/style\/(photo|train|held-out)\/(\d+)$/.exec(path);
    if (m) {
      const i = Number(m[2]);
      const [list, n, side] = m[1] === 'photo' ? [files.heldOut, files.heldOut.length, SIZE] : m[1] === 'train' ? [files.train, calibration, s] : [files.heldOut, images, s];
      if (i >= n) return { status: 404, type: 'text/plain', body: `no ${m[1]} photo ${i} (there are ${n})` };
      return rawImage(await loadResized(list[i], side, side));
    }
    if (path === '/style/painting') return rawImage(await (painting ??= task.painting()));
    const f = /^\/style\/loss-network\/([\w.-]+)$/.exec(path);
    if (f && (f[1] === 'model.json' || shards.includes(f[1]))) return { status: 200, type: f[1] === 'model.json' ? 'application/json' : 'application/octet-stream', body: await readFile(join(spec.path, f[1])) };
    return null;
  };
  return { panel, route };
}
