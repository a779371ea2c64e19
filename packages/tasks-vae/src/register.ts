import { listTasks, registerTask } from '@yoto/core';
import type { VaeTask } from './task-definition.js';

/**
 * Registers 'vae-mnist' and 'vae-fashion-mnist' built by `create` (idempotent: the registry is
 * process-wide). Node registers the file-reading task, the browser explorer one without data.
 */
export function registerVaeTasksWith(create: (options: Record<string, unknown>) => VaeTask): void {
  const known = new Set(listTasks());
  if (!known.has('vae-mnist')) registerTask('vae-mnist', (o) => create({ ...o, dataset: 'mnist' }));
  if (!known.has('vae-fashion-mnist')) registerTask('vae-fashion-mnist', (o) => create({ ...o, dataset: 'fashion-mnist' }));
}
