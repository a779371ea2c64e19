import { listTasks, registerTask, type Task } from '@yoto/core';
import type { CompressionModel } from '../model/compression-model.js';
import { type BlsTaskOptions, TASK_NAME } from './bls-definition.js';

/**
 * Registers 'bls-factorized' built by `create` (once, even if this module loads twice: the registry
 * is process-wide). Node registers the task that reads images from disk, the browser explorer the
 * model side alone.
 */
export function registerCompressionTasksWith(create: (options: BlsTaskOptions) => Task<CompressionModel>): void {
  if (!listTasks().includes(TASK_NAME)) registerTask(TASK_NAME, (options?: Record<string, unknown>) => create((options ?? {}) as BlsTaskOptions));
}
