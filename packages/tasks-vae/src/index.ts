import { registerVaeTasksWith } from './register.js';
import { createVaeTask } from './task.js';

export * from './config.js';
export * from './losses.js';
export * from './model.js';
export * from './data.js';
export * from './seeds.js';
export * from './task.js';
export * from './pictures.js';
export * from './decode-at.js';
export * from './train-step.js';
export { registerVaeTasksWith };

/** Registers 'vae-mnist' and 'vae-fashion-mnist' (idempotent: the registry is process-wide). */
export function registerVaeTasks(): void {
  registerVaeTasksWith(createVaeTask);
}

registerVaeTasks();
