import * as tf from '@tensorflow/tfjs';
import type { DnnlAddon } from '../addon.js';
import { heapOffset, nonEmptyFloat32, type WasmHeapBackend } from './support.js';

/**
 * A batched product op(a)·op(b) (+ bias, activation) in one oneDNN matmul, transposed operands read
 * in place through their strides (no transpose kernel). One operand's batch may be 1 (broadcast);
 * other broadcasts, and contractions that do not match, return null (the wrapped kernel raises
 * tfjs's own error).
 */
export function runMatMul(
  addon: DnnlAddon,
  backend: WasmHeapBackend,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  fused?: { bias?: tf.TensorInfo; activation: number; alpha: number },
): tf.TensorInfo | null {
  if (!nonEmptyFloat32(a, b) || a.shape.length < 2 || b.shape.length < 2) return null;
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = tf.util.sizeFromShape(outerA);
  const batchB = tf.util.sizeFromShape(outerB);
  const sameOuter = outerA.length === outerB.length && outerA.every((d, i) => d === outerB[i]);
  if (!sameOuter && batchA !== 1 && batchB !== 1) return null;
  const [ra, ca] = a.shape.slice(-2);
  const [rb, cb] = b.shape.slice(-2);
  const [m, k] = transposeA ? [ca, ra] : [ra, ca];
  const [k2, n] = transposeB ? [cb, rb] : [rb, cb];
  if (k !== k2) return null;
  const bias = fused?.bias;
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== n)) return null;
  const outer = tf.backend_util.assertAndGetBroadcastShape(outerA, outerB);
  const out = backend.makeOutput([...outer, m, n], 'float32');
  const dims = Int32Array.from([Math.max(batchA, batchB), batchA, batchB, m, k, n, transposeA ? 1 : 0, transposeB ? 1 : 0, bias ? 1 : 0, fused?.activation ?? 0]);
  const offset = (t: tf.TensorInfo) => heapOffset(backend, t);
  addon.matmul(dims, backend.wasm.HEAPU8.buffer as ArrayBuffer, offset(a), offset(b), offset(out), bias ? offset(bias) : -1, fused?.alpha ?? 0);
  return out;
}
