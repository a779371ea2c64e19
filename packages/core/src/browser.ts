// The browser-safe surface of @yoto/core: model code, coefficient spaces, the task registry and
// checkpoint decoding, without file, process or native-backend modules. Bundlers that honour the
// "browser" export condition (the explorer's esbuild build) resolve `@yoto/core` here, so a task
// package's model code that imports a Node-only symbol fails the page's build instead of the page.
export * from './random/rng.js';
export * from './nn/params.js';
export * from './nn/layers.js';
export * from './task/task.js';
export * from './metrics/sink.js';
export * from './coefficients/space.js';
export * from './coefficients/spec.js';
export * from './coefficients/defined-space.js';
export * from './coefficients/grid.js';
export type { TermSupport } from './coefficients/distribution.js';
export * from './conditioning/film.js';
export * from './conditioning/network.js';
export * from './conditioning/instance-norm.js';
export * from './task/registry.js';
export * from './checkpoint/format.js';
export * from './checkpoint/named-arrays.js';
export * from './checkpoint/model-from-checkpoint.js';
export * from './checkpoint/trained-from-checkpoint.js';
export * from './checkpoint/errors.js';
// The held-out evaluation at one λ, as the runner calls it (the explorer's live estimates).
export { evaluateAt } from './eval/grid.js';
export * from './checkpoint/sha256.js';
// The wasm kernel fixes (tfjs's transposed convolution is a plain scatter loop there): the browser's
// wasm backend runs the same kernels as Node's.
export { registerKernelFixes } from '@yoto/tfjs-kernels';
