import type { ExperimentPlan } from '../experiments/types.js';
import { UsageError } from '../errors.js';
import type { VaePanel } from './page/vae-view.js';

/** Test digits shown by the page (the report shows the first few test images too). */
const PANEL_IMAGES = 8;
const PANEL_SAMPLES = 8;

/**
 * The fixed inputs the page draws: for the VAE tasks, the first test images as the model sees them.
 * Other tasks have no page yet (compression and style follow): a UsageError says so.
 */
export async function explorerPanel(plan: ExperimentPlan, experiment: string): Promise<VaePanel> {
  if (!plan.task.name.startsWith('vae-'))
    throw new UsageError(`exp explore has a page for the VAE experiments only so far; '${experiment}' (task '${plan.task.name}') has none yet`);
  const { createVaeTask } = await import('@yoto/tasks-vae');
  const tf = await import('@tensorflow/tfjs');
  await tf.ready(); // the server's own backend, for these few pixels
  const task = createVaeTask(plan.task.options);
  const n = Math.min(PANEL_IMAGES, task.testSize);
  const images = task.testImages(n);
  const [, height, width, channels] = images.shape;
  const pixels = Array.from(images.dataSync());
  images.dispose();
  return { n, height, width, channels, pixels, samples: PANEL_SAMPLES };
}
