import { runMatMul } from './matmul.js';
import { fusion, type FusedAttrs, type NativeBody } from './support.js';

/**
 * A dense layer in one primitive: matmul, bias (one value per output column; other bias shapes go to
 * the wrapped kernel) and activation as oneDNN's bias argument and post-op.
 */
export const fusedMatMul: NativeBody = (addon, { inputs: { a, b, bias, preluActivationWeights }, attrs }, backend) => {
  const { transposeA = false, transposeB = false, ...rest } = (attrs ?? {}) as FusedAttrs & { transposeA?: boolean; transposeB?: boolean };
  const n = b.shape[transposeB ? b.shape.length - 2 : b.shape.length - 1];
  const fused = fusion(rest, n, bias, preluActivationWeights);
  return fused && runMatMul(addon, backend, a, b, transposeA, transposeB, fused);
};
