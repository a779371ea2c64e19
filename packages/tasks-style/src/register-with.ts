import { listTasks, registerTask } from '@yoto/core';
import { STYLE_TASK, type StyleTaskDefinition, type StyleTaskOptions } from './task-definition.js';

/**
 * Registers 'style-transfer' built by `create` (once, even if this module loads twice: the registry
 * is process-wide). Node registers the file-reading StyleTask, the browser entry the definition.
 */
export function registerStyleTasksWith(create: (options: StyleTaskOptions) => StyleTaskDefinition): void {
  if (!listTasks().includes(STYLE_TASK)) registerTask(STYLE_TASK, (options?: Record<string, unknown>) => create((options ?? {}) as StyleTaskOptions));
}
