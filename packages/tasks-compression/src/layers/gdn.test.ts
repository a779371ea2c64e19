import * as tf from '@tensorflow/tfjs';
import { initBackend, ParamStore } from '@yoto/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { lowerBound, NonNegative } from './bounds.js';
import { gdn } from './gdn.js';

beforeAll(async () => {
  await initBackend();
});

/** Direct evaluation of y_i = x_i (β_i + Σ_j γ_ij x_j²)^(∓½) at every pixel. */
function reference(x: Float32Array, shape: number[], beta: number[], gamma: number[][], inverse: boolean): Float64Array {
  const c = shape[3];
  const out = new Float64Array(x.length);
  for (let p = 0; p < x.length / c; p++) {
    for (let i = 0; i < c; i++) {
      let norm = beta[i];
      for (let j = 0; j < c; j++) norm += gamma[i][j] * x[p * c + j] ** 2;
      out[p * c + i] = inverse ? x[p * c + i] * Math.sqrt(norm) : x[p * c + i] / Math.sqrt(norm);
    }
  }
  return out;
}

describe('GDN', () => {
  it('computes x / sqrt(β + Σ γ x²) and its inverse for asymmetric γ', () => {
    for (const inverse of [false, true]) {
      const store = new ParamStore(1);
      const layer = gdn(store, 'g', 3, { inverse });
      const beta = [0.5, 1.5, 2];
      const gamma = [
        [0.1, 0.7, 0],
        [0.02, 0.3, 0.4],
        [0.9, 0.05, 0.2],
      ];
      const nn = new NonNegative(0);
      const nb = new NonNegative(1e-6);
      store.entries().find(([n]) => n === 'g/beta')![1].assign(tf.tensor1d(beta.map((v) => nb.init(v))));
      store.entries().find(([n]) => n === 'g/gamma')![1].assign(tf.tensor2d(gamma.map((r) => r.map((v) => nn.init(v)))));
      const shape: [number, number, number, number] = [2, 3, 2, 3];
      const x = tf.randomNormal(shape, 0, 2, 'float32', 4) as tf.Tensor4D;
      const y = layer(x).dataSync();
      const want = reference(x.dataSync() as Float32Array, shape, beta, gamma, inverse);
      for (let i = 0; i < want.length; i++) expect(y[i]).toBeCloseTo(want[i], 4);
      store.dispose();
    }
  });

  it('starts as x / sqrt(1 + 0.1 x²) and keeps β above its lower bound', () => {
    const store = new ParamStore(2);
    const layer = gdn(store, 'g', 2);
    const x = tf.tensor4d([3, -1], [1, 1, 1, 2]);
    const y = layer(x).dataSync();
    expect(y[0]).toBeCloseTo(3 / Math.sqrt(1.9), 5);
    expect(y[1]).toBeCloseTo(-1 / Math.sqrt(1.1), 5);
    // A stored β far below zero still means β = betaMin: the output stays finite.
    store.entries().find(([n]) => n === 'g/beta')![1].assign(tf.tensor1d([-5, -5]));
    store.entries().find(([n]) => n === 'g/gamma')![1].assign(tf.zeros([2, 2]));
    const z = layer(tf.tensor4d([1e-3, 0], [1, 1, 1, 2])).dataSync();
    expect(z[0]).toBeCloseTo(1e-3 / Math.sqrt(1e-6), 2);
    expect(z[1]).toBe(0);
    store.dispose();
  });

  it('has gradients for x, β and γ that match finite differences', () => {
    const store = new ParamStore(3);
    const layer = gdn(store, 'g', 2);
    const x = tf.variable(tf.tensor4d([0.7, -1.3, 2.1, 0.4], [1, 1, 2, 2]));
    const vars = [x, ...store.variables];
    const loss = (): tf.Scalar => tf.sum(tf.mul(layer(x), tf.tensor4d([1, -2, 0.5, 3], [1, 1, 2, 2])));
    const { grads } = tf.variableGrads(loss, vars);
    const eps = 1e-2;
    for (const v of vars) {
      const base = v.dataSync().slice();
      const g = grads[v.name].dataSync();
      for (let i = 0; i < base.length; i++) {
        const bump = (d: number): number => {
          const w = base.slice();
          w[i] += d;
          v.assign(tf.tensor(w, v.shape));
          return loss().dataSync()[0];
        };
        const fd = (bump(eps) - bump(-eps)) / (2 * eps);
        v.assign(tf.tensor(base, v.shape));
        expect(g[i]).toBeCloseTo(fd, 1);
      }
    }
    store.dispose();
    x.dispose();
  });
});

describe('lowerBound', () => {
  it('clamps the value and passes gradients only where they push the input up', () => {
    const x = tf.tensor1d([-1, 0.5, 2]);
    expect(Array.from(lowerBound(x, 1).dataSync())).toEqual([1, 1, 2]);
    const g = (dy: number[]): number[] => Array.from(tf.grad((v: tf.Tensor) => tf.sum(tf.mul(lowerBound(v, 1), tf.tensor1d(dy))))(x).dataSync());
    expect(g([1, 1, 1])).toEqual([0, 0, 1]);
    expect(g([-1, -1, -1])).toEqual([-1, -1, -1]);
  });
});
