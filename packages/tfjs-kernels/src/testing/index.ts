/** Test helpers: seeded dense tensors and naive (loop) convolutions to check kernels against. */
export { dense, t4, type Shape4 } from './dense.js';
export * from './naive_conv.js';
export { useBackend } from './backend.js';
export * from './compare.js';
