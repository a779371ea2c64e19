// The Node entry: everything portable, plus file IO and the task with its image files.
export * from './portable.js';
export * from './codec/files.js';
// Task (registers 'bls-factorized' on import).
export * from './data/images.js';
export * from './task/bls-task.js';
export * from './task/register.js';
