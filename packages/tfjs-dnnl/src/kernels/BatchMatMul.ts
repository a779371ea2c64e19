import { runMatMul } from './matmul.js';
import type { NativeBody } from './support.js';

export const batchMatMul: NativeBody = (addon, { inputs: { a, b }, attrs }, backend) => {
  const { transposeA = false, transposeB = false } = (attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
  return runMatMul(addon, backend, a, b, transposeA, transposeB);
};
