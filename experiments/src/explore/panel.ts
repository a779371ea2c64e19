import type { ExperimentPlan } from '../experiments/types.js';
import { UsageError } from '../errors.js';
import { compressionPanel, type CompressionPanel, kodakRoute } from './compression-panel.js';
import type { VaePanel } from './page/vae-view.js';
import type { TaskRoute } from './server.js';
import { stylePanel, type StylePanel } from './style-panel.js';

/** Test digits shown by the page (the report shows the first few test images too). */
const PANEL_IMAGES = 8;
const PANEL_SAMPLES = 8;

/**
 * The fixed inputs the page draws (`/panel.json`) and the task's own files besides (`route`): for
 * the VAE tasks, the first test images as the model sees them; for compression, the Kodak images it
 * may code; for style, the held-out photos and what the live estimate needs. Another task has no
 * page: a UsageError says so.
 */
export async function explorerPanel(plan: ExperimentPlan, experiment: string): Promise<{ panel: VaePanel | CompressionPanel | StylePanel; route?: TaskRoute }> {
  if (plan.task.name === 'bls-factorized') return { panel: compressionPanel(plan), route: kodakRoute(plan) };
  if (plan.task.name === 'style-transfer') return stylePanel(plan);
  if (!plan.task.name.startsWith('vae-'))
    throw new UsageError(`exp explore has pages for the VAE, compression and style experiments; '${experiment}' (task '${plan.task.name}') has none`);
  const { createVaeTask } = await import('@yoto/tasks-vae');
  const tf = await import('@tensorflow/tfjs');
  await tf.ready(); // the server's own backend, for these few pixels
  const task = createVaeTask(plan.task.options);
  const n = Math.min(PANEL_IMAGES, task.testSize);
  const images = task.testImages(n);
  const [, height, width, channels] = images.shape;
  const pixels = Array.from(images.dataSync());
  images.dispose();
  return { panel: { n, height, width, channels, pixels, samples: PANEL_SAMPLES } };
}
