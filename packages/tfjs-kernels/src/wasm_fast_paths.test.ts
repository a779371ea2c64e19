import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from './testing/backend.js';
import { runOriginalKernel } from './register.js';

/** The wasm-only wrappers (matmul with transposes, sums over outer axes) against tfjs's own kernels. */
describe('wasm fast-path wrappers', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  const values = (shape: number[], seed: number) => tf.randomUniform(shape, -1, 1, 'float32', seed);
  const counts = () => ({ tensors: tf.memory().numTensors, dataIds: tf.engine().backend.numDataIds() });

  function expectAllClose(a: tf.Tensor, b: tf.Tensor, label: string): void {
    expect(a.shape, label).toEqual(b.shape);
    const x = a.dataSync();
    const y = b.dataSync();
    let worst = 0;
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]) / (1 + Math.abs(y[i])));
    expect(worst, label).toBeLessThan(1e-5);
  }

  it('BatchMatMul and _FusedMatMul with transposed operands equal the original kernels', () => {
    const cases: [number[], number[], boolean, boolean][] = [
      [[5, 7], [7, 3], false, false],
      [[7, 5], [7, 3], true, false],
      [[5, 7], [3, 7], false, true],
      [[7, 5], [3, 7], true, true],
      [[2, 7, 5], [2, 3, 7], true, true],
      [[1, 64, 33], [1, 64, 9], true, false],
      [[2, 5, 7], [2, 7, 3], false, false],
      [[3, 5, 7], [1, 7, 3], false, false],
    ];
    let seed = 1;
    for (const [as, bs, transposeA, transposeB] of cases) {
      const label = `${JSON.stringify(as)}${transposeA ? 'ᵀ' : ''}·${JSON.stringify(bs)}${transposeB ? 'ᵀ' : ''}`;
      tf.tidy(() => {
        const a = values(as, seed++);
        const b = values(bs, seed++);
        expectAllClose(tf.matMul(a, b, transposeA, transposeB), runOriginalKernel('BatchMatMul', { a, b }, { transposeA, transposeB }), label);
        if (as.length === 3) {
          const bias = values([tf.matMul(a, b, transposeA, transposeB).shape[2] as number], seed++);
          // Against composed ops, not the original: tfjs-backend-wasm's own _FusedMatMul is wrong with
          // transposeA on some shapes (off by 2.8 on the [1,64,33]ᵀ case) and whenever batch > 1.
          const product = runOriginalKernel('BatchMatMul', { a, b }, { transposeA, transposeB });
          const fused = tf.fused.matMul({ a: a as tf.Tensor3D, b: b as tf.Tensor3D, transposeA, transposeB, bias, activation: 'relu' });
          expectAllClose(fused, tf.relu(tf.add(product, bias)), `fused relu ${label}`);
          const alpha = values([product.shape[2] as number], seed++);
          const prelu = tf.fused.matMul({ a: a as tf.Tensor3D, b: b as tf.Tensor3D, transposeA, transposeB, activation: 'prelu', preluActivationWeights: alpha });
          expectAllClose(prelu, tf.prelu(product, alpha), `fused prelu ${label}`);
        }
      });
    }
  });

  it('Sum over leading, middle and mixed axes (with keepDims) equals the original kernel', () => {
    const cases: [number[], number | number[], boolean][] = [
      [[6, 5, 4, 3], [0, 1, 2], false],
      [[6, 5, 4, 3], [0], true],
      [[6, 5, 4, 3], [1, 2], false],
      [[6, 5, 4, 3], [2, 1], true],
      [[6, 5, 4, 3], 1, false],
      [[6, 5, 4, 3], [3], false],
      [[6, 5, 4, 3], [0, 2], false],
      [[6, 5, 4, 3], [0, 1, 2, 3], false],
      [[3, 4, 5, 6, 7], [1, 2, 3], false],
      [[9, 4], -2, true],
    ];
    let seed = 100;
    for (const [shape, axis, keepDims] of cases) {
      tf.tidy(() => {
        const x = values(shape, seed++);
        expectAllClose(tf.sum(x, axis, keepDims), runOriginalKernel('Sum', { x }, { axis, keepDims }), `${JSON.stringify(shape)} axis ${JSON.stringify(axis)} keepDims ${keepDims}`);
      });
    }
    // Integer sums keep tfjs's own path and dtype.
    tf.tidy(() => {
      const s = tf.sum(tf.tensor2d([[1, 2], [3, 4]], [2, 2], 'int32'), 0);
      expect(s.dtype).toBe('int32');
      expect(s.arraySync()).toEqual([4, 6]);
    });
  });

  it('Identity and same-dtype Cast share memory safely; real casts still convert', () => {
    const before = counts();
    const x = tf.tensor2d([[1.5, -2], [3, 4.25]]);
    const c = tf.clone(x);
    const same = tf.cast(x, 'float32');
    // Shared storage: no new backend buffer for either.
    expect(counts().dataIds).toBe(before.dataIds + 1);
    x.dispose();
    // Reference-counted: the originals' memory outlives the disposed input.
    expect(c.arraySync()).toEqual([[1.5, -2], [3, 4.25]]);
    expect(same.arraySync()).toEqual([[1.5, -2], [3, 4.25]]);
    const asInt = tf.cast(c, 'int32');
    expect(asInt.dtype).toBe('int32');
    expect(asInt.arraySync()).toEqual([[1, -2], [3, 4]]);
    const flags = tf.tensor1d([1, 0, 1], 'bool');
    const asFloat = tf.cast(flags, 'float32');
    expect(asFloat.dtype).toBe('float32');
    expect(asFloat.arraySync()).toEqual([1, 0, 1]);
    // Gradients through saved (cloned) tensors are unaffected.
    const v = tf.tensor1d([1, -3]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(t, t)))(v);
    expect(g.arraySync()).toEqual([2, -6]);
    tf.dispose([c, same, asInt, flags, asFloat, v, g]);
    expect(counts()).toEqual(before);
  });

  it('neither leaks nor frees inputs', () => {
    const a = values([8, 16], 7);
    const b = values([8, 4], 8);
    const x = values([4, 3, 3, 5], 9);
    const before = counts();
    for (let i = 0; i < 10; i++) {
      tf.matMul(a, b, true, false).dispose();
      tf.sum(x, [0, 1, 2]).dispose();
      tf.sum(x, [1, 2], true).dispose();
    }
    tf.dispose(tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.matMul(p, q, true, false)))([a, b]));
    expect(counts()).toEqual(before);
    expect(tf.sum(x).dataSync()[0]).toBeCloseTo(Array.from(x.dataSync()).reduce((s, v) => s + v, 0), 4);
    tf.dispose([a, b, x]);
  });
});
