import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../backend/init.js';
import { Adam } from './adam.js';

// The addon's entry point declines every call (as it does below NATIVE_ADAM_MIN_SIZE values, or with
// the native kernels off), and records the constants it was offered.
const offered = vi.hoisted(() => [] as Float32Array[]);
vi.mock('@yoto/tfjs-dnnl', async (original) => ({
  ...(await original<typeof import('@yoto/tfjs-dnnl')>()),
  nativeAdamUpdate: (_arrays: readonly Float32Array[], constants: Float32Array) => {
    offered.push(constants);
    return false;
  },
}));

const hex = (a: ArrayLike<number>): string[] => Array.from(new Uint32Array(Float32Array.from(a).buffer), (b) => b.toString(16).padStart(8, '0'));

/** Recorded with the code at f06175b (constants packed per parameter), backend cpu. */
const BEFORE = {
  p: [
    ['3ed4ffd3', '3ee81e7d', '3d9a2a23', 'bebf5329', 'bef4d24e', 'be13e39c'],
    ['3effb13b', '3e5454b4', 'be8daf00', 'bf0134f2'],
    ['3e8e4ffe'],
  ],
  m: [
    ['3fb0f162', 'bf88fb4c', 'c0227ba1', 'bfd62d90', '3f3b0c5b', '401d9ecb'],
    ['bfd62d90', '3f3b0c5b', '401d9ecb', '3ff72055'],
    ['3ff72055'],
  ],
  v: [
    ['40597eba', '400108f0', '413688ae', '409f26d6', '3f6fdf49', '412bb3ea'],
    ['409f26d6', '3f6fdf49', '412bb3ea', '40d3b6e8'],
    ['40d3b6e8'],
  ],
};

beforeAll(async () => {
  await initBackend('cpu');
});

describe('Adam host update when the native path declines', () => {
  const shapes = [[2, 3], [4], [1]];
  const make = (): [string, tf.Variable][] =>
    shapes.map((s, i) => [`p${i}`, tf.variable(tf.tensor(Array.from({ length: tf.util.sizeFromShape(s) }, (_v, j) => Math.sin(1 + 7 * i + j) / 2), s))]);

  it('builds its constants once per step (one array for every parameter of a learning-rate scale) and updates bit for bit as before', async () => {
    const params = make();
    const adam = new Adam(params, { lr: 3e-3, beta1: 0.85, beta2: 0.97, epsilon: 1e-7 }, { lrScale: (n) => (n === 'p2' ? 10 : 1) });
    for (let t = 0; t < 3; t++) {
      offered.length = 0;
      const grads = shapes.map((s, i) => tf.tensor(Array.from({ length: tf.util.sizeFromShape(s) }, (_v, j) => Math.cos(t + 3 * i + j) * (t === 1 ? 20 : 0.1)), s));
      adam.apply(grads, 3e-3 / (1 + t));
      tf.dispose(grads);
      expect(offered).toHaveLength(3);
      // p0 and p1 share a scale (one array); p2 has its own, with 10× the step size.
      expect(offered[1]).toBe(offered[0]);
      expect(offered[2]).not.toBe(offered[0]);
      expect(offered[2][5]).toBe(Math.fround((10 * 3e-3) / (1 + t) / (1 - 0.85 ** (t + 1))));
    }
    // Parameters and moments after the 3 steps, as the code before the constants were hoisted left them (float32 bits).
    const state = await adam.getState();
    expect(await Promise.all(params.map(async ([, v]) => hex(await v.data())))).toEqual(BEFORE.p);
    expect(Object.values(state.m).map((x) => hex(x.values))).toEqual(BEFORE.m);
    expect(Object.values(state.v).map((x) => hex(x.values))).toEqual(BEFORE.v);
    adam.dispose();
    tf.dispose(params.map(([, v]) => v));
  });
});
