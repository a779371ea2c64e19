// The whole of @yoto/core for Node: the browser-safe surface (browser.ts, the one list of it) and the
// modules that need files, processes or a native backend.
export * from './browser.js';
export * from './backend/init.js';
export { threadBudget, threadsPerWorker } from './backend/threads.js';
export * from './data/index.js';
export * from './checkpoint/atomic.js';
export * from './train/index.js';
export * from './checkpoint/file.js';
export * from './checkpoint/load-model.js';
export * from './checkpoint/load-trained.js';
export * from './eval/grid.js';
export { KERNEL_FIXES, originalKernel, registerKernelFixes, runOriginalKernel, type KernelFix } from '@yoto/tfjs-kernels';
