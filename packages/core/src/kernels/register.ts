import * as tf from '@tensorflow/tfjs';
// Importing the wasm package registers its kernels; ours must be registered after it to win.
import '@tensorflow/tfjs-backend-wasm';
import { conv2dBackpropFilterKernel } from './conv2d_backprop_filter.js';
import { conv2dBackpropInputKernel } from './conv2d_backprop_input.js';

type Backend = 'wasm' | 'cpu';

interface Fix {
  kernelName: string;
  backendName: Backend;
  kernelFunc: tf.KernelFunc;
  /** Why this replacement exists (shown by the benchmark). */
  why: string;
}

/** The replacements, each measured to help (see `pnpm bench kernels`). */
export const KERNEL_FIXES: readonly Fix[] = [
  { kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2dBackpropFilterKernel, why: 'missing in tfjs-backend-wasm' },
  { kernelName: 'Conv2DBackpropFilter', backendName: 'cpu', kernelFunc: conv2dBackpropFilterKernel, why: 'tfjs-backend-cpu loop is pathologically slow' },
  { kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: conv2dBackpropInputKernel, why: 'tfjs-backend-wasm runs a plain scatter loop' },
  { kernelName: 'DepthwiseConv2dNativeBackpropInput', backendName: 'cpu', kernelFunc: conv2dBackpropInputKernel, why: 'placeholder' },
  { kernelName: 'DepthwiseConv2dNativeBackpropFilter', backendName: 'cpu', kernelFunc: conv2dBackpropInputKernel, why: 'placeholder' },
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
    if (prior) tf.unregisterKernel(fix.kernelName, fix.backendName);
    tf.registerKernel({ kernelName: fix.kernelName, backendName: fix.backendName, kernelFunc: fix.kernelFunc });
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
