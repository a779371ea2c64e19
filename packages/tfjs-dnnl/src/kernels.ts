import * as tf from '@tensorflow/tfjs';
import type { DnnlAddon } from './addon.js';
import { batchMatMul } from './kernels/BatchMatMul.js';
import { conv2D } from './kernels/Conv2D.js';
import { conv2DBackpropFilter } from './kernels/Conv2DBackpropFilter.js';
import { conv2DBackpropInput } from './kernels/Conv2DBackpropInput.js';
import { depthwiseConv2dNative } from './kernels/DepthwiseConv2dNative.js';
import { depthwiseConv2dNativeBackpropFilter } from './kernels/DepthwiseConv2dNativeBackpropFilter.js';
import { depthwiseConv2dNativeBackpropInput } from './kernels/DepthwiseConv2dNativeBackpropInput.js';
import { fusedConv2D } from './kernels/FusedConv2D.js';
import { fusedDepthwiseConv2D } from './kernels/FusedDepthwiseConv2D.js';
import { fusedMatMul } from './kernels/_FusedMatMul.js';
import { abs } from './kernels/Abs.js';
import { add } from './kernels/Add.js';
import { exp } from './kernels/Exp.js';
import { log } from './kernels/Log.js';
import { maximum } from './kernels/Maximum.js';
import { minimum } from './kernels/Minimum.js';
import { multiply } from './kernels/Multiply.js';
import { neg } from './kernels/Neg.js';
import { pow } from './kernels/Pow.js';
import { realDiv } from './kernels/RealDiv.js';
import { reciprocal } from './kernels/Reciprocal.js';
import { rsqrt } from './kernels/Rsqrt.js';
import { sqrt } from './kernels/Sqrt.js';
import { square } from './kernels/Square.js';
import { squaredDifference } from './kernels/SquaredDifference.js';
import { sub } from './kernels/Sub.js';
import { sum } from './kernels/Sum.js';
import { tanh } from './kernels/Tanh.js';
import { alignHeapAllocations } from './heap-alignment.js';
import type { NativeBody, WasmHeapBackend } from './kernels/support.js';

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

/** The kernels the addon takes over on the wasm backend, one file each under kernels/. */
export const NATIVE_KERNELS: Record<string, NativeBody> = {
  BatchMatMul: batchMatMul,
  _FusedMatMul: fusedMatMul,
  Conv2D: conv2D,
  FusedConv2D: fusedConv2D,
  Conv2DBackpropInput: conv2DBackpropInput,
  Conv2DBackpropFilter: conv2DBackpropFilter,
  DepthwiseConv2dNative: depthwiseConv2dNative,
  FusedDepthwiseConv2D: fusedDepthwiseConv2D,
  DepthwiseConv2dNativeBackpropInput: depthwiseConv2dNativeBackpropInput,
  DepthwiseConv2dNativeBackpropFilter: depthwiseConv2dNativeBackpropFilter,
  // Element-wise work and sums (GDN, the entropy model, the optimizer), above NATIVE_MIN_SIZE values.
  Abs: abs,
  Add: add,
  Exp: exp,
  Log: log,
  Maximum: maximum,
  Minimum: minimum,
  Multiply: multiply,
  Neg: neg,
  Pow: pow,
  RealDiv: realDiv,
  Reciprocal: reciprocal,
  Rsqrt: rsqrt,
  Sqrt: sqrt,
  Square: square,
  SquaredDifference: squaredDifference,
  Sub: sub,
  Sum: sum,
  Tanh: tanh,
};

let registered = false;

/**
 * Puts the native kernels in front of the wasm backend's current ones (tfjs's own, or a project fix
 * registered earlier), which stay in place for whatever the native kernels do not take and for
 * whenever they are disabled. Registering twice is a no-op. From then on the wasm backend's tensors
 * start on cache lines (heap-alignment.ts says why): its current instance now, and any later one when
 * a native kernel first runs on it.
 */
export function registerNativeKernels(addon: DnnlAddon): void {
  if (registered) return;
  const current = tf.findBackend('wasm') as unknown as WasmHeapBackend | null;
  if (current) alignHeapAllocations(current.wasm);
  for (const [kernelName, body] of Object.entries(NATIVE_KERNELS)) {
    const prior = tf.getKernel(kernelName, 'wasm');
    const counts = (callCounts[kernelName] = { native: 0, fallback: 0 });
    const kernelFunc: tf.KernelFunc = (args) => {
      const backend = args.backend as unknown as WasmHeapBackend;
      if (enabled) alignHeapAllocations(backend.wasm);
      const out = enabled ? body(addon, args as Parameters<NativeBody>[1], backend) : null;
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
