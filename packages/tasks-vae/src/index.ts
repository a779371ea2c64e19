import { registerVaeTasks } from './register.js';

export * from './config.js';
export * from './losses.js';
export * from './model.js';
export * from './data.js';
export * from './seeds.js';
export * from './task.js';
export * from './pictures.js';
export { registerVaeTasks };

registerVaeTasks();
