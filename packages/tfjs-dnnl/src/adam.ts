import { loadAddon } from './addon.js';
import { callCounts, isEnabled } from './kernels.js';

/**
 * Below this many values a parameter's update stays in the caller's JS loop: a call into the addon
 * (argument checks, the offsets) costs about what the loop spends on a few hundred values.
 */
export const NATIVE_ADAM_MIN_SIZE = 1024;

const counts = (callCounts.AdamUpdate = { native: 0, fallback: 0 });

/**
 * Adam's update of one parameter in one native pass (native/adam.cc), bit-identical to core's JS
 * loop (packages/core/src/train/adam_update.ts). `arrays` are [p, g, mIn, vIn, pOut, mOut, vOut] of
 * equal length, `constants` [b1, c1, b2, c2, eps, stepSize, invSqrtBc2] as float32. Runs only while
 * the native kernels are on and every array is a view of one buffer (the wasm heap); returns false
 * otherwise, and for small parameters, and the caller runs its own loop.
 */
export function nativeAdamUpdate(arrays: readonly Float32Array[], constants: Float32Array): boolean {
  const n = arrays[0].length;
  if (!isEnabled() || n < NATIVE_ADAM_MIN_SIZE) return false;
  const status = loadAddon();
  const heap = arrays[0].buffer;
  if (!status.ok || !arrays.every((a) => a.buffer === heap && a.length === n)) {
    counts.fallback++;
    return false;
  }
  status.addon.adam(heap as ArrayBuffer, Float64Array.from(arrays, (a) => a.byteOffset), n, constants);
  counts.native++;
  return true;
}
