import * as tf from '@tensorflow/tfjs';
import { untransposedMatMul } from './BatchMatMul.js';

function activate(x: tf.Tensor, activation: string, prelu: tf.Tensor | undefined, alpha: number | undefined): tf.Tensor {
  switch (activation) {
    case 'linear':
      return x;
    case 'relu':
      return tf.relu(x);
    case 'relu6':
      return tf.relu6(x);
    case 'elu':
      return tf.elu(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'leakyrelu':
      return tf.leakyRelu(x, alpha ?? 0.2);
    case 'prelu':
      if (!prelu) throw new Error('_FusedMatMul: prelu activation without preluActivationWeights');
      return tf.prelu(x, prelu);
    default:
      throw new Error(`_FusedMatMul: unsupported activation ${JSON.stringify(activation)}`);
  }
}

/**
 * _FusedMatMul for wasm: besides the transposed-operand slow path (see BatchMatMul.ts), tfjs-backend-wasm's fused
 * kernel returns wrong values when a batch dimension exceeds 1 (measured: off by 0.66 on a
 * [2,5,7]·[2,7,3] product). Batched products are therefore composed from BatchMatMul, the bias add
 * and the activation; unbatched ones keep the fused kernel.
 */
export function fixedFusedMatMul(original: tf.KernelConfig): tf.KernelFunc {
  const unbatched = untransposedMatMul(original);
  return (args) => {
    const a = args.inputs.a as tf.TensorInfo;
    const b = args.inputs.b as tf.TensorInfo;
    const batch = Math.max(tf.util.sizeFromShape(a.shape.slice(0, -2)), tf.util.sizeFromShape(b.shape.slice(0, -2)));
    if (batch <= 1) return unbatched(args);
    const { transposeA, transposeB, activation, leakyreluAlpha } = (args.attrs ?? {}) as {
      transposeA?: boolean;
      transposeB?: boolean;
      activation?: string;
      leakyreluAlpha?: number;
    };
    const run = (name: string, inputs: Record<string, tf.TensorInfo>, attrs: object = {}) =>
      tf.engine().runKernel(name, inputs as unknown as tf.NamedTensorMap, attrs as tf.NamedAttrMap) as tf.Tensor;
    return tf.tidy(() => {
      let out = run('BatchMatMul', { a, b }, { transposeA: !!transposeA, transposeB: !!transposeB });
      const bias = args.inputs.bias as tf.TensorInfo | undefined;
      if (bias) out = run('Add', { a: out, b: bias });
      const prelu = args.inputs.preluActivationWeights as tf.TensorInfo | undefined;
      const preluT = prelu ? run('Identity', { x: prelu }) : undefined;
      return activate(out, activation ?? 'linear', preluT, leakyreluAlpha);
    }) as unknown as tf.TensorInfo;
  };
}
