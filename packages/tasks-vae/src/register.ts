import { listTasks, registerTask } from '@yoto/core';
import { createVaeTask } from './task.js';

/** Registers 'vae-mnist' and 'vae-fashion-mnist' (idempotent: the registry is process-wide). */
export function registerVaeTasks(): void {
  const known = new Set(listTasks());
  if (!known.has('vae-mnist')) registerTask('vae-mnist', (o) => createVaeTask({ ...o, dataset: 'mnist' }));
  if (!known.has('vae-fashion-mnist')) registerTask('vae-fashion-mnist', (o) => createVaeTask({ ...o, dataset: 'fashion-mnist' }));
}
