import * as tf from '@tensorflow/tfjs';
import { callCounts, loadAddon, NATIVE_ADAM_MIN_SIZE } from '@yoto/tfjs-dnnl';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init.js';
import type { NamedArrays } from '../checkpoint/named-arrays.js';
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

const dnnl = loadAddon();

/** Index of the first value whose bits differ, −1 when none (toEqual is slow on half a million values). */
function firstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  const [x, y] = [new Uint32Array(a.buffer, a.byteOffset, a.length), new Uint32Array(b.buffer, b.byteOffset, b.length)];
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

function expectSameArrays(a: NamedArrays, b: NamedArrays, what: string): void {
  expect(Object.keys(a), what).toEqual(Object.keys(b));
  for (const k of Object.keys(a)) {
    expect(a[k].shape, `${what} ${k}`).toEqual(b[k].shape);
    expect(firstDifference(a[k].values, b[k].values), `${what} ${k}: first differing value`).toBe(-1);
  }
}
const nativeCalls = () => callCounts.AdamUpdate?.native ?? 0;

/**
 * The host-loop Adam update against the op-by-op one, bit for bit, on every backend it runs on (on
 * wasm+dnnl the parameters of NATIVE_ADAM_MIN_SIZE values or more go through the addon's loop, one
 * of them large enough to be split over threads): same parameters and gradients through several
 * steps with a changing learning rate, then the saved states, and a restore followed by more steps
 * (the moments' storage changes hands there).
 */
describe.each(['cpu', 'wasm', 'wasm+dnnl'] as const)('fused Adam update on %s', (backend) => {
  const skip = backend === 'wasm+dnnl' && !dnnl.ok;
  beforeAll(async () => {
    if (!skip) await initBackend(backend);
  });

  it.skipIf(skip)(`is bit-identical to the op-by-op update, across steps and a state restore${skip ? ` (skipped: ${dnnl.why})` : ''}`, async () => {
    const shapes = [[3, 3, 2, 5], [5], [7, 4], [1], [NATIVE_ADAM_MIN_SIZE + 3], [3, 3, 32, 64], [(1 << 19) + 5]];
    const calls = nativeCalls();
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
      for (let i = 0; i < shapes.length; i++) expect(firstDifference((await pa[i][1].data()) as Float32Array, (await pb[i][1].data()) as Float32Array), `p${i}`).toBe(-1);
      const [a, b] = [await host.getState(), await ops.getState()];
      expect(a.iteration).toBe(b.iteration);
      expectSameArrays(a.m, b.m, 'm');
      expectSameArrays(a.v, b.v, 'v');
    };
    run(5, 0);
    expect(tf.memory().numTensors).toBe(before);
    await same();
    // Three parameters per step through the addon on wasm+dnnl, none elsewhere.
    expect(nativeCalls() - calls).toBe(backend === 'wasm+dnnl' ? 15 : 0);
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
    expectSameArrays(restored.m, state.m, 'restored m');
    expectSameArrays(restored.v, state.v, 'restored v');
    host.dispose();
    ops.dispose();
    for (const [, v] of [...pa, ...pb]) v.dispose();
  });
});

/**
 * Against tfjs's own Adam (tf.train.adam), which holds β^t as a running float32 product and divides
 * by the bias corrections in another order: the same parameters after several steps, within one
 * float32 ulp of the largest parameter per step (each step may round p − δ to the neighbouring
 * float). A formula difference would not pass: a wrong bias correction moves every value by a
 * fraction of the step itself (lr = 2e-3, thousands of ulps here).
 */
describe.each(['wasm', 'wasm+dnnl'] as const)("fused Adam update against tfjs's Adam on %s", (backend) => {
  const skip = backend === 'wasm+dnnl' && !dnnl.ok;
  beforeAll(async () => {
    if (!skip) await initBackend(backend);
  });

  const STEPS = 8;
  it.skipIf(skip)(`matches tf.train.adam over ${STEPS} steps within float32 tolerance${skip ? ` (skipped: ${dnnl.why})` : ''}`, async () => {
    const shapes = [[7, 4], [3, 3, 32, 64], [NATIVE_ADAM_MIN_SIZE * 3]];
    const initial = shapes.map((s, i) => values(tf.util.sizeFromShape(s), 11 + i, 0.5));
    const ours = shapes.map((s, i): [string, tf.Variable] => [`p${i}`, tf.variable(tf.tensor(initial[i], s))]);
    const theirs = shapes.map((s, i) => tf.variable(tf.tensor(initial[i], s), true, `adam-ref-${backend}-${i}`));
    const config = { lr: 2e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
    const adam = new Adam(ours, config);
    const reference = tf.train.adam(config.lr, config.beta1, config.beta2, config.epsilon);
    const calls = nativeCalls();
    for (let t = 0; t < STEPS; t++) {
      const grads = shapes.map((s, i) => tf.tensor(values(tf.util.sizeFromShape(s), 1000 * t + i, t % 3 === 0 ? 5 : 0.05), s));
      adam.apply(grads, config.lr);
      reference.applyGradients(theirs.map((v, i) => ({ name: v.name, tensor: grads[i] })));
      tf.dispose(grads);
    }
    // Two parameters per step through the addon on wasm+dnnl, none on wasm.
    expect(nativeCalls() - calls).toBe(backend === 'wasm+dnnl' ? 2 * STEPS : 0);
    for (let i = 0; i < shapes.length; i++) {
      const [a, b] = [await ours[i][1].data(), await theirs[i].data()];
      let worst = 0;
      let moved = 0;
      let magnitude = 0;
      for (let j = 0; j < a.length; j++) {
        worst = Math.max(worst, Math.abs(a[j] - b[j]));
        moved = Math.max(moved, Math.abs(b[j] - initial[i][j]));
        magnitude = Math.max(magnitude, Math.abs(b[j]));
      }
      expect(moved, `p${i} moved`).toBeGreaterThan(config.lr);
      expect(worst, `p${i}`).toBeLessThanOrEqual(STEPS * 2 ** -23 * magnitude);
    }
    adam.dispose();
    reference.dispose();
    tf.dispose([...ours.map(([, v]) => v), ...theirs]);
  });
});
