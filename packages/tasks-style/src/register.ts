import { registerStyleTasksWith } from './register-with.js';
import { StyleTask } from './task.js';

/** Registers 'style-transfer' (the task on the data root's files) in core's task registry. */
export function registerStyleTasks(): void {
  registerStyleTasksWith((o) => new StyleTask(o));
}

registerStyleTasks();
