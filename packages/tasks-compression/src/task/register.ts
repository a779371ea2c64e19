import { listTasks, registerTask } from '@yoto/core';
import { BlsFactorizedTask, type BlsTaskOptions, TASK_NAME } from './bls-task.js';

/** Registers 'bls-factorized' in core's task registry (once, even if this module loads twice). */
export function registerCompressionTasks(): void {
  if (!listTasks().includes(TASK_NAME)) registerTask(TASK_NAME, (options?: Record<string, unknown>) => new BlsFactorizedTask((options ?? {}) as BlsTaskOptions));
}

registerCompressionTasks();
