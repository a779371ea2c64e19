import * as tf from '@tensorflow/tfjs';
import type { DnnlAddon } from '../addon.js';
import { heapOffset, type WasmHeapBackend } from './support.js';

/** Unary maps of native/elementwise.cc, by tfjs kernel name. */
export const UNARY = { Square: 0, Sqrt: 1, Rsqrt: 2, Neg: 3, Exp: 4, Log: 5, Reciprocal: 6, Abs: 7, Tanh: 8 } as const;
/** Binary maps of native/elementwise.cc, by tfjs kernel name. */
export const BINARY = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3, SquaredDifference: 4, Maximum: 5, Minimum: 6, Pow: 7 } as const;

/**
 * Tensors smaller than this stay with the wasm kernels: a native call (argument marshalling, the
 * heap checks) costs about what wasm spends on a few thousand values. (The addon splits a loop
 * over threads from 512 Ki values on: below that, waking the other threads costs about what it saves.)
 */
export const NATIVE_MIN_SIZE = 1 << 14;

const isFloat32 = (t: tf.TensorInfo) => t.dtype === 'float32';

/** y = op(x) for a float32 tensor of at least NATIVE_MIN_SIZE values; null hands it to wasm. */
export function runUnary(addon: DnnlAddon, backend: WasmHeapBackend, op: keyof typeof UNARY, x: tf.TensorInfo): tf.TensorInfo | null {
  const n = tf.util.sizeFromShape(x.shape);
  if (!isFloat32(x) || n < NATIVE_MIN_SIZE) return null;
  const out = backend.makeOutput(x.shape, 'float32');
  addon.unary(UNARY[op], backend.wasm.HEAPU8.buffer as ArrayBuffer, heapOffset(backend, x), heapOffset(backend, out), n);
  return out;
}

/**
 * The iteration of a broadcasting binary op over its output, for native/elementwise.cc:
 * [nd, shape × nd, strides of a × nd, strides of b × nd] with a stride 0 where that operand is
 * broadcast. Size-1 dimensions are dropped and neighbours that both operands step through as one
 * are merged, so a bias add is [rows, channels] with b's row stride 0. Null when more than 4
 * dimensions remain (the wasm kernel takes those).
 */
export function broadcastIteration(aShape: number[], bShape: number[]): Int32Array | null {
  const out = tf.backend_util.assertAndGetBroadcastShape(aShape, bShape);
  const r = out.length;
  const stridesOf = (shape: number[]): number[] => {
    const padded = [...Array(r - shape.length).fill(1), ...shape] as number[];
    const s = new Array<number>(r);
    let acc = 1;
    for (let i = r - 1; i >= 0; i--) {
      s[i] = padded[i] === 1 ? 0 : acc;
      acc *= padded[i];
    }
    return s;
  };
  const sa = stridesOf(aShape);
  const sb = stridesOf(bShape);
  const dims: { n: number; a: number; b: number }[] = [];
  for (let i = 0; i < r; i++) {
    if (out[i] === 1) continue;
    const last = dims.at(-1);
    // Merge into the previous dim when each operand's previous stride is this one's times this size.
    if (last && last.a === sa[i] * out[i] && last.b === sb[i] * out[i]) {
      last.n *= out[i];
      last.a = sa[i];
      last.b = sb[i];
    } else dims.push({ n: out[i], a: sa[i], b: sb[i] });
  }
  if (dims.length === 0) dims.push({ n: 1, a: 0, b: 0 });
  if (dims.length > 4) return null;
  return Int32Array.from([dims.length, ...dims.map((d) => d.n), ...dims.map((d) => d.a), ...dims.map((d) => d.b)]);
}

/** c = op(a, b) with tfjs's broadcasting, both float32, the output at least NATIVE_MIN_SIZE values; null hands it to wasm. */
export function runBinary(addon: DnnlAddon, backend: WasmHeapBackend, op: keyof typeof BINARY, a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo | null {
  if (!isFloat32(a) || !isFloat32(b)) return null;
  const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
  if (tf.util.sizeFromShape(outShape) < NATIVE_MIN_SIZE) return null;
  const dims = broadcastIteration(a.shape, b.shape);
  if (!dims) return null;
  const out = backend.makeOutput(outShape, 'float32');
  const offset = (t: tf.TensorInfo) => heapOffset(backend, t);
  addon.binary(BINARY[op], dims, backend.wasm.HEAPU8.buffer as ArrayBuffer, offset(a), offset(b), offset(out));
  return out;
}

/**
 * A reduction over `axes` as native/elementwise.cc's [outer, reduced, inner]: possible when the
 * reduced dimensions (size-1 ones aside) are adjacent. Null otherwise.
 */
export function reductionDims(shape: number[], axes: number[]): [number, number, number] | null {
  const dims = [1, 1, 1];
  let part = 0; // 0: before the reduced block, 1: inside it, 2: after it
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 1) continue;
    const reduced = axes.includes(i);
    if (part === 0 && reduced) part = 1;
    else if (part === 1 && !reduced) part = 2;
    else if (part === 2 && reduced) return null;
    dims[part] *= shape[i];
  }
  return dims as [number, number, number];
}

/** Sum of a float32 tensor over `axis` (tfjs's Sum attributes), at least NATIVE_MIN_SIZE values in; null hands it to wasm. */
export function runSum(addon: DnnlAddon, backend: WasmHeapBackend, x: tf.TensorInfo, axis: number | number[], keepDims: boolean): tf.TensorInfo | null {
  if (!isFloat32(x) || tf.util.sizeFromShape(x.shape) < NATIVE_MIN_SIZE) return null;
  const axes = tf.util.parseAxisParam(axis, x.shape);
  const dims = reductionDims(x.shape, axes);
  if (!dims) return null;
  const [outShape] = tf.backend_util.computeOutAndReduceShapes(x.shape, axes);
  const out = backend.makeOutput(keepDims ? tf.backend_util.expandShapeToKeepDim(outShape, axes) : outShape, 'float32');
  addon.sum(Int32Array.from(dims), backend.wasm.HEAPU8.buffer as ArrayBuffer, heapOffset(backend, x), heapOffset(backend, out));
  return out;
}
