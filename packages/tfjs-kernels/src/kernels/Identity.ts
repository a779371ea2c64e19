import type * as tf from '@tensorflow/tfjs';

/**
 * tfjs-backend-wasm's Identity (and a Cast to the same dtype) copies the whole tensor. The engine
 * clones every tensor it saves for the backward pass, and the gradients of Multiply cast their
 * operands to float32, so a training step copies each activation several times (measured on the
 * benchmark VAE: ~220 copies, 7–9 ms per step). Tensors are immutable and the wasm backend
 * reference-counts data ids (its Reshape already shares them), so the output can share the input's
 * memory, exactly as tfjs-backend-cpu's Identity does. Strings keep the original kernel.
 */
export function sharedIdentity(original: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') return original.kernelFunc(args);
    return shareMemory(args.backend as tf.KernelBackend, x);
  };
}

/** An output sharing x's memory: one more reference to its data id. */
export function shareMemory(backend: tf.KernelBackend, x: tf.TensorInfo): tf.TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}
