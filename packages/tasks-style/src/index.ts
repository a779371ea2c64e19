export * from './portable.js';
export * from './loss-network/read.js';
export * from './loss-network/files.js';
export * from './data.js';
export * from './task.js';
export { registerStyleTasks } from './register.js';
