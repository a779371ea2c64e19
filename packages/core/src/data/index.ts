// @yoto/core/data: datasets (catalog, checksums, data root, verify, fetch, readers) without tfjs, for
// processes that check or fetch data but never train (`pnpm data`, the `exp run` preflight).
export * from './root.js';
export * from './dataset.js';
export * from './manifest.js';
export * from './catalog.js';
export * from './verify.js';
export * from './hash-cache.js';
export * from './fetch.js';
export * from './tar.js';
export * from './idx.js';
export * from './images.js';
