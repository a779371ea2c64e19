import * as tf from '@tensorflow/tfjs';

/**
 * tfjs-backend-wasm sums only over innermost axes: any other reduction first transposes the whole
 * tensor (its transposes run 1–10 ms on a few MB), which every bias or FiLM gradient triggers
 * (Σ over batch and space of an NHWC activation). Reduced differently here:
 * - leading axes [0 … k−1]: ones[1,L] · X[L,R] through XNNPACK's GEMM
 *   (64×14×14×32 over 0,1,2: 1.0 → 0.13 ms; 8×64×64×64: 11.9 → 0.26 ms);
 * - a middle block of axes: an average pool over that block, times its size
 *   (8×64×64×64 over 1,2: 8.2 → 0.33 ms).
 * Anything else (innermost axes, gaps, non-float) goes to the original kernel.
 */
export function sumOuterAxes(original: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { axis, keepDims } = (args.attrs ?? {}) as { axis: number | number[]; keepDims?: boolean };
    const rank = x.shape.length;
    const axes = [...new Set(tf.util.parseAxisParam(axis, x.shape))].sort((a, b) => a - b);
    const contiguous = axes.length > 0 && axes.every((a, i) => a === axes[0] + i);
    const first = axes[0];
    const last = axes[axes.length - 1];
    if (x.dtype !== 'float32' || !contiguous || last === rank - 1 || tf.util.sizeFromShape(x.shape) === 0) return original.kernelFunc(args);
    const size = (dims: number[]) => dims.reduce((p, q) => p * q, 1);
    const before = size(x.shape.slice(0, first));
    const reduced = size(x.shape.slice(first, last + 1));
    const after = size(x.shape.slice(last + 1));
    const outShape = keepDims ? x.shape.map((d, i) => (i >= first && i <= last ? 1 : d)) : x.shape.filter((_, i) => i < first || i > last);
    return tf.tidy(() => {
      const xt = wrap(x, args.backend as tf.KernelBackend);
      let out: tf.Tensor;
      if (first === 0) {
        out = tf.matMul(tf.ones([1, reduced]), tf.reshape(xt, [reduced, after]));
      } else {
        const pooled = tf.avgPool(tf.reshape(xt, [before, reduced, 1, after]) as tf.Tensor4D, [reduced, 1], 1, 'valid');
        out = tf.mul(pooled, tf.scalar(reduced));
      }
      return tf.reshape(out, outShape);
    }) as unknown as tf.TensorInfo;
  };
}

/** A Tensor for a kernel input (they are Tensors in practice; a bare TensorInfo gets its own reference). */
function wrap(info: tf.TensorInfo, backend: tf.KernelBackend): tf.Tensor {
  if ((info as tf.Tensor).rank != null && typeof (info as tf.Tensor).dispose === 'function') return info as tf.Tensor;
  backend.incRef(info.dataId);
  return tf.engine().makeTensorFromTensorInfo(info);
}
