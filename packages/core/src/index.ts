export * from './random/rng.js';
export * from './nn/params.js';
export * from './nn/layers.js';
export * from './task/task.js';
export * from './metrics/sink.js';
export * from './coefficients/space.js';
