import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init.js';
import { Adam } from './adam.js';

/** Deterministic values in [-scale, scale) with some exact zeros and tiny values (a small LCG). */
function values(n: number, seed: number, scale: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = s / 2 ** 31 - 1;
    out[i] = i % 17 === 0 ? 0 : i % 13 === 0 ? u * 1e-30 : u * scale;
  }
  return out;
}

/**
 * The host-loop Adam update against the op-by-op one, bit for bit, on both backends it runs on:
 * same parameters and gradients through several steps with a changing learning rate, then the
 * saved states, and a restore followed by more steps (the moments' storage changes hands there).
 */
describe.each(['cpu', 'wasm'] as const)('fused Adam update on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend);
  });

  it('is bit-identical to the op-by-op update, across steps and a state restore', async () => {
    const shapes = [[3, 3, 2, 5], [5], [7, 4], [1]];
    const make = () => shapes.map((s, i): [string, tf.Variable] => [`p${i}`, tf.variable(tf.tensor(values(tf.util.sizeFromShape(s), 11 + i, 0.5), s))]);
    const pa = make();
    const pb = make();
    const config = { lr: 3e-3, beta1: 0.85, beta2: 0.97, epsilon: 1e-7 };
    const host = new Adam(pa, config);
    const ops = new Adam(pb, config, { hostLoop: false });
    const before = tf.memory().numTensors;
    const run = (steps: number, from: number) => {
      for (let t = from; t < from + steps; t++) {
        const grads = shapes.map((s, i) => tf.tensor(values(tf.util.sizeFromShape(s), 1000 * t + i, t % 3 === 0 ? 40 : 0.01), s));
        const lr = 3e-3 / (1 + t);
        host.apply(grads, lr);
        ops.apply(grads, lr);
        tf.dispose(grads);
      }
    };
    const same = async () => {
      for (let i = 0; i < shapes.length; i++) expect(await pa[i][1].data(), `p${i}`).toEqual(await pb[i][1].data());
      expect(await host.getState()).toEqual(await ops.getState());
    };
    run(5, 0);
    expect(tf.memory().numTensors).toBe(before);
    await same();
    // The fused update must not have touched the parameters' old values in place: a copy taken
    // before a step keeps its values.
    const snapshot = tf.clone(pa[0][1]);
    const kept = Float32Array.from(await snapshot.data());
    run(1, 5);
    expect(await snapshot.data()).toEqual(kept);
    snapshot.dispose();
    const state = await host.getState();
    const restored = structuredClone(state);
    host.setState(restored, 'test');
    run(3, 6);
    await same();
    // Restoring from arrays must not let later in-place updates write into them.
    expect(restored).toEqual(state);
    host.dispose();
    ops.dispose();
    for (const [, v] of [...pa, ...pb]) v.dispose();
  });
});
