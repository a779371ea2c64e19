// What runs anywhere (Node and the browser alike): entropy coder, bitstream, layers, entropy model,
// model, codec, metrics and the task's model side. Both entries export it; each registers its own
// 'bls-factorized' (index.ts: with the image files, browser.ts: without).
// Entropy coding (independent of tfjs).
export * from './coder/quantize.js';
export * from './coder/rans.js';
export * from './coder/symbols.js';
// Bitstream format.
export * from './bitstream/crc32.js';
export * from './bitstream/format.js';
// Layers, entropy model, model.
export * from './layers/bounds.js';
export * from './layers/gdn.js';
export * from './entropy/density.js';
export * from './entropy/bottleneck.js';
export * from './entropy/refit.js';
export * from './entropy/normal.js';
export * from './entropy/gaussian-conditional.js';
export * from './model/colour.js';
export * from './model/config.js';
export * from './model/factorized-prior.js';
export * from './model/scale-hyperprior.js';
export * from './model/compression-model.js';
export * from './model/conditioning.js';
// Codec.
export * from './codec/image.js';
export * from './codec/fingerprint.js';
export * from './codec/codec.js';
export * from './codec/round-trip.js';
// Metrics.
export * from './metrics/psnr.js';
export * from './metrics/ms-ssim.js';
// The task without its images, and its registration.
export * from './task/bls-definition.js';
export * from './task/register-with.js';
