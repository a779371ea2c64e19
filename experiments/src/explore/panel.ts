import type { ExperimentPlan } from '../experiments/types.js';
import { UsageError } from '../errors.js';
import { compressionPanel, type CompressionPanel, kodakRoute } from './compression-panel.js';
import type { VaePanel } from './page/vae-view.js';
import type { TaskRoute } from './server.js';

/** Test digits shown by the page (the report shows the first few test images too). */
const PANEL_IMAGES = 8;
const PANEL_SAMPLES = 8;

/**
 * The fixed inputs the page draws: for the VAE tasks, the first test images as the model sees them;
 * for compression, the Kodak images it may code. Other tasks have no page yet (style follows): a
 * UsageError says so.
 */
export async function explorerPanel(plan: ExperimentPlan, experiment: string): Promise<VaePanel | CompressionPanel> {
  if (plan.task.name === 'bls-factorized') return compressionPanel(plan);
  if (!plan.task.name.startsWith('vae-'))
    throw new UsageError(`exp explore has pages for the VAE and compression experiments only so far; '${experiment}' (task '${plan.task.name}') has none yet`);
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

/** The task's own files the server sends besides the panel (compression: the Kodak images). */
export function explorerRoute(plan: ExperimentPlan): TaskRoute | undefined {
  return plan.task.name === 'bls-factorized' ? kodakRoute(plan) : undefined;
}
