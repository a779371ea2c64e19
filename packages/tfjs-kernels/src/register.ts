import * as tf from '@tensorflow/tfjs';
// Importing the wasm package registers its kernels; ours must be registered after it to win.
import '@tensorflow/tfjs-backend-wasm';
import { untransposedMatMul } from './kernels/BatchMatMul.js';
import { sharedSameDtypeCast } from './kernels/Cast.js';
import { conv2dBackpropFilterKernel } from './kernels/Conv2DBackpropFilter.js';
import { conv2dBackpropInputKernel } from './kernels/Conv2DBackpropInput.js';
import { depthwiseBackpropFilterKernel } from './kernels/DepthwiseConv2dNativeBackpropFilter.js';
import { depthwiseBackpropInputKernel } from './kernels/DepthwiseConv2dNativeBackpropInput.js';
import { fixedFusedMatMul } from './kernels/_FusedMatMul.js';
import { sharedIdentity } from './kernels/Identity.js';
import { sumOuterAxes } from './kernels/Sum.js';

type Backend = 'wasm' | 'cpu';

export interface KernelFix {
  kernelName: string;
  backendName: Backend;
  /** A replacement kernel, or a wrapper around tfjs's own one (which then must exist). */
  kernelFunc?: tf.KernelFunc;
  wrap?: (original: tf.KernelConfig) => tf.KernelFunc;
  /** With kernelFunc: use it only for calls whose attrs pass this test, tfjs's own kernel otherwise. */
  when?: (attrs: tf.NamedAttrMap) => boolean;
  /** Why this replacement exists (shown by the benchmark). */
  why: string;
}

function unstrided(attrs: tf.NamedAttrMap): boolean {
  const strides = (attrs as { strides?: number | number[] }).strides ?? 1;
  return Array.isArray(strides) ? strides.every((s) => s === 1) : strides === 1;
}

/** The replacements, each measured to help (see `pnpm bench kernels`). */
export const KERNEL_FIXES: readonly KernelFix[] = [
  { kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2dBackpropFilterKernel, why: 'missing in tfjs-backend-wasm' },
  { kernelName: 'Conv2DBackpropFilter', backendName: 'cpu', kernelFunc: conv2dBackpropFilterKernel, why: 'tfjs-backend-cpu loop is pathologically slow' },
  { kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: conv2dBackpropInputKernel, why: 'tfjs-backend-wasm runs a plain scatter loop' },
  { kernelName: 'DepthwiseConv2dNativeBackpropInput', backendName: 'wasm', kernelFunc: depthwiseBackpropInputKernel, why: 'missing in tfjs-backend-wasm' },
  { kernelName: 'DepthwiseConv2dNativeBackpropFilter', backendName: 'wasm', kernelFunc: depthwiseBackpropFilterKernel, why: 'missing in tfjs-backend-wasm' },
  { kernelName: 'BatchMatMul', backendName: 'wasm', wrap: untransposedMatMul, why: 'transposed operands leave XNNPACK for a scalar loop' },
  { kernelName: '_FusedMatMul', backendName: 'wasm', wrap: fixedFusedMatMul, why: 'transposed operands leave XNNPACK; batched products are wrong' },
  { kernelName: 'Sum', backendName: 'wasm', wrap: sumOuterAxes, why: 'reducing outer axes transposes the whole tensor first' },
  { kernelName: 'Identity', backendName: 'wasm', wrap: sharedIdentity, why: 'copies the tensor; the engine clones every tensor saved for backprop' },
  { kernelName: 'Cast', backendName: 'wasm', wrap: sharedSameDtypeCast, why: 'a cast to the same dtype copies the tensor (Multiply’s gradient casts both operands)' },
  { kernelName: 'DepthwiseConv2dNativeBackpropFilter', backendName: 'cpu', kernelFunc: depthwiseBackpropFilterKernel, why: 'tfjs-backend-cpu loop is 7–12× slower' },
  {
    kernelName: 'DepthwiseConv2dNativeBackpropInput',
    backendName: 'cpu',
    kernelFunc: depthwiseBackpropInputKernel,
    when: unstrided,
    why: 'at stride 1 ours is 1.5–1.8× faster (and honours dilation); strided, tfjs-backend-cpu’s loop wins',
  },
];

const originals = new Map<string, tf.KernelConfig | null>();
let registered = false;

const key = (kernelName: string, backendName: string) => `${backendName}/${kernelName}`;

/** Registers every fix once; later calls are no-ops. The replaced kernels stay reachable via `originalKernel`. */
export function registerKernelFixes(): void {
  if (registered) return;
  for (const fix of KERNEL_FIXES) {
    const k = key(fix.kernelName, fix.backendName);
    const prior = tf.getKernel(fix.kernelName, fix.backendName);
    originals.set(k, prior ?? null);
    let config: tf.KernelConfig;
    if (fix.wrap) {
      if (!prior) throw new Error(`kernel fix for ${k} wraps tfjs's kernel, which is not registered`);
      // Keep the original's setup/dispose hooks: the wrapper calls into its wasm bindings.
      config = { ...prior, kernelFunc: fix.wrap(prior) };
    } else if (fix.kernelFunc && fix.when) {
      if (!prior) throw new Error(`kernel fix for ${k} falls back to tfjs's kernel, which is not registered`);
      const { kernelFunc: ours, when } = fix;
      config = { ...prior, kernelFunc: (args) => (when(args.attrs ?? {}) ? ours(args) : prior.kernelFunc(args)) };
    } else if (fix.kernelFunc) {
      config = { kernelName: fix.kernelName, backendName: fix.backendName, kernelFunc: fix.kernelFunc };
    } else throw new Error(`kernel fix for ${k} has neither kernelFunc nor wrap`);
    if (prior) tf.unregisterKernel(fix.kernelName, fix.backendName);
    tf.registerKernel(config);
  }
  registered = true;
}

/** tfjs's own kernel that a fix replaced (null where tfjs had none), for benchmarks and tests. */
export function originalKernel(kernelName: string, backendName: string): tf.KernelConfig | null {
  registerKernelFixes();
  return originals.get(key(kernelName, backendName)) ?? null;
}

// A kernel's setupFunc runs when its backend initialises, but only for kernels registered then;
// the originals were unregistered before that, so they are set up here on first use.
const setUp = new WeakMap<object, Set<tf.KernelConfig>>();

/**
 * Runs tfjs's own (replaced) kernel on the active backend, for benchmark comparisons. Returns a
 * Tensor owned by the caller. Throws if tfjs has no such kernel for the active backend.
 */
export function runOriginalKernel(kernelName: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap): tf.Tensor {
  const backendName = tf.getBackend();
  const cfg = originalKernel(kernelName, backendName);
  if (!cfg) throw new Error(`tfjs has no original '${kernelName}' kernel for backend '${backendName}'`);
  const backend = tf.backend();
  let done = setUp.get(backend);
  if (!done) setUp.set(backend, (done = new Set()));
  if (cfg.setupFunc && !done.has(cfg)) {
    cfg.setupFunc(backend);
    done.add(cfg);
  }
  const out = cfg.kernelFunc({ inputs, attrs, backend }) as tf.TensorInfo;
  // Same wrapping the engine applies to kernel outputs: one Tensor for the backend's one reference.
  return tf.engine().makeTensorFromTensorInfo(out);
}
