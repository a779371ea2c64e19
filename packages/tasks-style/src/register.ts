import { listTasks, registerTask } from '@yoto/core';
import { STYLE_TASK, StyleTask, type StyleTaskOptions } from './task.js';

/** Registers 'style-transfer' in core's task registry (once, even if this module loads twice). */
export function registerStyleTasks(): void {
  if (!listTasks().includes(STYLE_TASK)) registerTask(STYLE_TASK, (options?: Record<string, unknown>) => new StyleTask((options ?? {}) as StyleTaskOptions));
}

registerStyleTasks();
