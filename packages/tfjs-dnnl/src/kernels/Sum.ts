import { runSum } from './elementwise.js';
import type { NativeBody } from './support.js';

/** Σ over adjacent axes, in double, multithreaded (native/elementwise.cc). */
export const sum: NativeBody = (addon, { inputs: { x }, attrs }, backend) => {
  const { axis, keepDims = false } = attrs as unknown as { axis: number | number[]; keepDims?: boolean };
  return runSum(addon, backend, x, axis, keepDims);
};
