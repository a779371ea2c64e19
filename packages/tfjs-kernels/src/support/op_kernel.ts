import * as tf from '@tensorflow/tfjs';

/**
 * Kernels here are written with ordinary tfjs ops. That is safe inside a kernel: the engine runs
 * kernels with kernelDepth > 0, so the nested ops are not recorded on the gradient tape.
 *
 * Memory contract (see tfjs-core engine.runKernelFunc): an output whose `rank` is set is taken as a
 * finished Tensor and used as is, so we return the Tensor our ops produced (kept out of our tidy)
 * rather than a bare TensorInfo, which the engine would wrap in a second Tensor without raising the
 * backend's refcount for it (a double free once both are disposed).
 */
export type OpKernelBody = (inputs: Record<string, tf.Tensor>, attrs: tf.NamedAttrMap) => tf.Tensor;

function isTensor(t: tf.TensorInfo): t is tf.Tensor {
  return (t as tf.Tensor).rank != null && typeof (t as tf.Tensor).dispose === 'function';
}

/** Adapts an op-level body to tfjs's KernelFunc, wrapping any bare TensorInfo inputs. */
export function opKernel(body: OpKernelBody): tf.KernelFunc {
  return ({ inputs, attrs, backend }) =>
    tf.tidy(() => {
      const ts: Record<string, tf.Tensor> = {};
      for (const [name, info] of Object.entries(inputs)) {
        if (info == null) continue;
        if (isTensor(info)) {
          ts[name] = info;
        } else {
          // A new wrapper needs its own backend reference so that the tidy's dispose balances it.
          (backend as tf.KernelBackend).incRef(info.dataId);
          ts[name] = tf.engine().makeTensorFromTensorInfo(info);
        }
      }
      return body(ts, attrs ?? {});
    }) as unknown as tf.TensorInfo;
}
