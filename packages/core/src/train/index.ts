export * from './adam.js';
export * from './clip.js';
export * from './config.js';
export * from './divergence.js';
export * from './errors.js';
export * from './schedule.js';
export * from './trainer.js';
