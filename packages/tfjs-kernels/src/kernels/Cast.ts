import type * as tf from '@tensorflow/tfjs';
import { shareMemory } from './Identity.js';

/** Cast: to the same dtype it is an Identity (shared memory); any real conversion keeps tfjs's kernel. */
export function sharedSameDtypeCast(original: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { dtype } = (args.attrs ?? {}) as { dtype?: tf.DataType };
    if (x.dtype === 'string' || dtype !== x.dtype) return original.kernelFunc(args);
    return shareMemory(args.backend as tf.KernelBackend, x);
  };
}
