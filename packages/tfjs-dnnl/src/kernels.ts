import * as tf from '@tensorflow/tfjs';
import type { DnnlAddon } from './addon.js';
import { packGeometry, Pass, useBlockedLayout, type PassName } from './geometry.js';

/** What these kernels need of tfjs-backend-wasm's backend object. */
interface WasmHeapBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
}

/** oneDNN post-op codes of native/conv.cc, for FusedConv2D's activations (prelu is not fused). */
const ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1, relu6: 2, leakyrelu: 3, sigmoid: 4, elu: 5 };

/** How often each kernel ran natively and how often it handed over to the kernel it wraps. */
export const callCounts: Record<string, { native: number; fallback: number }> = {};

let enabled = false;
/** Native kernels run only while enabled (initBackend's `wasm+dnnl`); otherwise every call goes to the wrapped kernel. */
export function setEnabled(on: boolean): void {
  enabled = on;
}
export function isEnabled(): boolean {
  return enabled;
}

interface ConvAttrs {
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
  dataFormat?: string;
  dilations?: number | [number, number];
  dimRoundingMode?: string;
}

/** The native kernels take non-empty float32 tensors only. */
function nonEmptyFloat32(...ts: (tf.TensorInfo | undefined)[]): boolean {
  return ts.every((t) => t === undefined || (t.dtype === 'float32' && tf.util.sizeFromShape(t.shape) > 0));
}

/** Convolutions they do not take: NCHW, rounding modes, other dtypes, empty tensors. */
function supported(attrs: ConvAttrs, ...ts: (tf.TensorInfo | undefined)[]): boolean {
  return (attrs.dataFormat === undefined || attrs.dataFormat === 'NHWC') && attrs.dimRoundingMode == null && nonEmptyFloat32(...ts);
}

function convInfo(inShape: number[], filterShape: number[], a: ConvAttrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    a.dilations ?? 1,
    a.pad,
  );
}

/**
 * Allocates the output on the wasm heap, then runs one pass on it. The heap's buffer and every
 * offset are read after the allocation: growing the wasm memory replaces its ArrayBuffer.
 */
function runPass(
  addon: DnnlAddon,
  backend: WasmHeapBackend,
  pass: PassName,
  info: tf.backend_util.Conv2DInfo,
  outShape: number[],
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  fused?: { bias?: tf.TensorInfo; activation: number; alpha: number },
): tf.TensorInfo {
  const out = backend.makeOutput(outShape, 'float32');
  const offset = (t: tf.TensorInfo) => backend.dataIdMap.get(t.dataId)!.memoryOffset;
  addon.conv(
    Pass[pass],
    packGeometry(info),
    backend.wasm.HEAPU8.buffer as ArrayBuffer,
    offset(a),
    offset(b),
    offset(out),
    useBlockedLayout(pass, info),
    fused?.bias ? offset(fused.bias) : -1,
    fused?.activation ?? 0,
    fused?.alpha ?? 0,
  );
  return out;
}

/** A kernel body on the inputs tfjs passes (optional ones, bias and prelu weights, may be absent). */
type NativeBody = (addon: DnnlAddon, args: { inputs: Record<string, tf.TensorInfo>; attrs?: tf.NamedAttrMap }, backend: WasmHeapBackend) => tf.TensorInfo | null;

const conv2d: NativeBody = (addon, { inputs: { x, filter }, attrs }, backend) => {
  const a = attrs as unknown as ConvAttrs;
  if (!supported(a, x, filter)) return null;
  const info = convInfo(x.shape, filter.shape, a);
  return runPass(addon, backend, 'forward', info, info.outShape, x, filter);
};

const fusedConv2d: NativeBody = (addon, { inputs: { x, filter, bias, preluActivationWeights }, attrs }, backend) => {
  const a = attrs as unknown as ConvAttrs & { activation?: string; leakyreluAlpha?: number };
  const activation = ACTIVATIONS[a.activation ?? 'linear'];
  if (activation === undefined || preluActivationWeights != null || !supported(a, x, filter, bias ?? undefined)) return null;
  const info = convInfo(x.shape, filter.shape, a);
  if (bias != null && (bias.shape.length !== 1 || bias.shape[0] !== info.outChannels)) return null;
  return runPass(addon, backend, 'forward', info, info.outShape, x, filter, { bias: bias ?? undefined, activation, alpha: a.leakyreluAlpha ?? 0.2 });
};

const backpropInput: NativeBody = (addon, { inputs: { dy, filter }, attrs }, backend) => {
  const a = attrs as unknown as ConvAttrs & { inputShape: number[] };
  if (!supported(a, dy, filter)) return null;
  const info = convInfo(a.inputShape, filter.shape, { ...a, dilations: 1 });
  return runPass(addon, backend, 'backwardData', info, a.inputShape, dy, filter);
};

const backpropFilter: NativeBody = (addon, { inputs: { x, dy }, attrs }, backend) => {
  const a = attrs as unknown as ConvAttrs & { filterShape: number[] };
  if (!supported(a, x, dy)) return null;
  const info = convInfo(x.shape, a.filterShape, { ...a, dilations: 1 });
  return runPass(addon, backend, 'backwardWeights', info, a.filterShape, x, dy);
};

/**
 * Batched products, transposed operands read in place through their strides (no transpose kernel);
 * one operand's batch may be 1 (broadcast). Other broadcasts go to the wrapped kernel.
 */
const batchMatMul: NativeBody = (addon, { inputs: { a, b }, attrs }, backend) => {
  const { transposeA = false, transposeB = false } = (attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
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
  if (k !== k2) return null; // the wrapped kernel raises tfjs's own error
  const outer = tf.backend_util.assertAndGetBroadcastShape(outerA, outerB);
  const out = backend.makeOutput([...outer, m, n], 'float32');
  const offset = (t: tf.TensorInfo) => backend.dataIdMap.get(t.dataId)!.memoryOffset;
  const dims = Int32Array.from([Math.max(batchA, batchB), batchA, batchB, m, k, n, transposeA ? 1 : 0, transposeB ? 1 : 0]);
  addon.matmul(dims, backend.wasm.HEAPU8.buffer as ArrayBuffer, offset(a), offset(b), offset(out));
  return out;
};

/** The kernels oneDNN takes over on the wasm backend. */
export const NATIVE_KERNELS: Record<string, NativeBody> = {
  BatchMatMul: batchMatMul,
  Conv2D: conv2d,
  FusedConv2D: fusedConv2d,
  Conv2DBackpropInput: backpropInput,
  Conv2DBackpropFilter: backpropFilter,
};

let registered = false;

/**
 * Puts the native kernels in front of the wasm backend's current ones (tfjs's own, or a project fix
 * registered earlier), which stay in place for whatever the native kernels do not take and for
 * whenever they are disabled. Registering twice is a no-op.
 */
export function registerNativeKernels(addon: DnnlAddon): void {
  if (registered) return;
  for (const [kernelName, body] of Object.entries(NATIVE_KERNELS)) {
    const prior = tf.getKernel(kernelName, 'wasm');
    const counts = (callCounts[kernelName] = { native: 0, fallback: 0 });
    const kernelFunc: tf.KernelFunc = (args) => {
      const out = enabled ? body(addon, args as Parameters<NativeBody>[1], args.backend as unknown as WasmHeapBackend) : null;
      if (out) {
        counts.native++;
        return out;
      }
      counts.fallback++;
      if (!prior) throw new Error(`the wasm backend has no '${kernelName}' kernel for this call${enabled ? ' and oneDNN does not take its form' : ''}`);
      return prior.kernelFunc(args);
    };
    if (prior) tf.unregisterKernel(kernelName, 'wasm');
    // The wrapped kernel's setup hook (its wasm bindings) still has to run when the backend starts.
    tf.registerKernel({ ...(prior ?? { kernelName, backendName: 'wasm' }), kernelFunc });
  }
  registered = true;
}
