import * as tf from '@tensorflow/tfjs';

/**
 * tfjs-backend-wasm multiplies through XNNPACK only when neither operand is flagged as transposed;
 * with transposeA or transposeB (every dense layer's backward pass) it falls back to a scalar loop,
 * 15–30× slower on the VAE's dense shapes (e.g. [64,3136]ᵀ·[64,32]: 14 ms vs 0.6 ms). Transposing
 * the operand explicitly (XNNPACK's transpose, a fraction of a millisecond) and calling the
 * original kernel untransposed keeps the fast path. Used for BatchMatMul and _FusedMatMul.
 */
export function untransposedMatMul(original: tf.KernelConfig): tf.KernelFunc {
  return ({ inputs, attrs, backend }) => {
    const { transposeA, transposeB } = (attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
    if (!transposeA && !transposeB) return original.kernelFunc({ inputs, attrs, backend });
    const temps: tf.Tensor[] = [];
    const swapLastTwo = (t: tf.TensorInfo): tf.TensorInfo => {
      const rank = t.shape.length;
      const perm = [...Array(rank).keys()];
      [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
      const out = tf.engine().runKernel('Transpose', { x: t } as unknown as tf.NamedTensorMap, { perm }) as tf.Tensor;
      temps.push(out);
      return out;
    };
    const a = inputs.a as tf.TensorInfo;
    const b = inputs.b as tf.TensorInfo;
    try {
      return original.kernelFunc({
        inputs: { ...inputs, a: transposeA ? swapLastTwo(a) : a, b: transposeB ? swapLastTwo(b) : b },
        attrs: { ...attrs, transposeA: false, transposeB: false },
        backend,
      });
    } finally {
      // The original kernel's output is fresh memory, never a view of its inputs.
      tf.dispose(temps);
    }
  };
}
