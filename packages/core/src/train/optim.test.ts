import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Adam } from './adam.js';
import { clipByGlobalNorm, globalNorm } from './clip.js';
import { learningRateAt, validateSchedule } from './schedule.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('learning-rate schedules', () => {
  it('constant, with linear warm-up', () => {
    const s = { kind: 'constant', warmupSteps: 4 } as const;
    const want = [0.025, 0.05, 0.075, 0.1, 0.1, 0.1];
    [0, 1, 2, 3, 4, 50].forEach((k, i) => expect(learningRateAt(k, 0.1, s, 100)).toBeCloseTo(want[i], 15));
  });

  it('cosine decays from lr after warm-up to minLr at the last step through the midpoint', () => {
    const s = { kind: 'cosine', minLr: 0.01, warmupSteps: 10 } as const;
    expect(learningRateAt(10, 0.1, s, 111)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(60, 0.1, s, 111)).toBeCloseTo(0.055, 12);
    expect(learningRateAt(110, 0.1, s, 111)).toBeCloseTo(0.01, 12);
    expect(learningRateAt(35, 0.1, s, 111)).toBeCloseTo(0.01 + 0.09 * (1 + Math.cos(Math.PI / 4)) / 2, 12);
  });

  it('step decay multiplies by gamma every `every` steps', () => {
    const s = { kind: 'step', every: 10, gamma: 0.5, warmupSteps: 2 } as const;
    expect([2, 11, 12, 21, 22, 32].map((k) => learningRateAt(k, 1, s, 100))).toEqual([1, 1, 0.5, 0.5, 0.25, 0.125]);
  });

  it('rejects bad schedules', () => {
    expect(() => validateSchedule({ kind: 'cosine', minLr: 2 }, 1)).toThrow(/minLr must be in \[0, lr = 1\]/);
    expect(() => validateSchedule({ kind: 'step', every: 5, gamma: 0 }, 1)).toThrow(/gamma must be in \(0, 1\]/);
    expect(() => validateSchedule({ kind: 'constant', warmupSteps: -1 }, 1)).toThrow(/warmupSteps must be an integer ≥ 0/);
    expect(() => validateSchedule({ kind: 'linear' } as never, 1)).toThrow(/'constant', 'cosine' or 'step'/);
  });
});

describe('gradient clipping by global norm', () => {
  it('computes the global norm and rescales only when it exceeds the limit', () => {
    const g = [tf.tensor1d([3, 4]), tf.tensor2d([[12]])];
    expect(globalNorm(g).dataSync()[0]).toBeCloseTo(13, 5);
    const clipped = clipByGlobalNorm(g, 6.5);
    expect([...clipped[0].dataSync()]).toEqual([1.5, 2]);
    expect(clipped[1].dataSync()[0]).toBeCloseTo(6, 5);
    expect(globalNorm(clipped).dataSync()[0]).toBeCloseTo(6.5, 5);
    const untouched = clipByGlobalNorm(g, 20);
    expect([...untouched[0].dataSync()]).toEqual([3, 4]);
    expect(() => clipByGlobalNorm(g, 0)).toThrow(/maxNorm must be a finite number > 0/);
  });
});

describe('Adam', () => {
  it('matches a float64 reference of Adam with bias correction, with a varying learning rate', () => {
    const p = tf.variable(tf.tensor1d([1, -2, 0.5]));
    const adam = new Adam([['p', p]], { lr: 0.1, beta1: 0.8, beta2: 0.95, epsilon: 1e-6 });
    const ref = [1, -2, 0.5];
    const m = [0, 0, 0], v = [0, 0, 0];
    for (let t = 1; t <= 6; t++) {
      const lr = 0.1 / t;
      // Gradient of Σ (p³/3 + p) is p² + 1; take it from the current float32 values for both.
      const cur = [...p.dataSync()];
      const g = cur.map((x) => x * x + 1);
      adam.apply([tf.tensor1d(g)], lr);
      for (let i = 0; i < 3; i++) {
        m[i] = 0.8 * m[i] + 0.2 * g[i];
        v[i] = 0.95 * v[i] + 0.05 * g[i] * g[i];
        const mh = m[i] / (1 - 0.8 ** t), vh = v[i] / (1 - 0.95 ** t);
        ref[i] = cur[i] - (lr * mh) / (Math.sqrt(vh) + 1e-6);
      }
      [...p.dataSync()].forEach((x, i) => expect(x).toBeCloseTo(ref[i], 5));
    }
    expect(adam.iteration).toBe(6);
    adam.dispose();
  });

  it('scales the learning rate per parameter on both update paths, and refuses a bad scale', () => {
    for (const hostLoop of [true, false]) {
      const a = tf.variable(tf.tensor1d([1, 1]));
      const b = tf.variable(tf.tensor1d([1, 1]));
      const adam = new Adam([['net/a', a], ['entropy/b', b]], { lr: 0.01, epsilon: 1e-12 }, { hostLoop, lrScale: (n) => (n.startsWith('entropy/') ? 4 : 1) });
      // At t = 1, m̂/√v̂ = sign(g): each parameter moves by exactly its own learning rate.
      adam.apply([tf.tensor1d([3, -0.5]), tf.tensor1d([3, -0.5])], 0.01);
      [...a.dataSync()].forEach((x, i) => expect(x).toBeCloseTo([0.99, 1.01][i], 6));
      [...b.dataSync()].forEach((x, i) => expect(x).toBeCloseTo([0.96, 1.04][i], 6));
      adam.dispose();
    }
    const p = tf.variable(tf.zeros([1]));
    expect(() => new Adam([['g_a/w', p]], { lr: 0.01 }, { lrScale: () => 0 })).toThrow(/'g_a\/w' must be a finite number > 0, got 0/);
  });

  it('saves and restores its state by parameter name, and rejects a state of another model', async () => {
    const a = tf.variable(tf.tensor2d([[1, 2]]));
    const adam = new Adam([['w', a]], { lr: 0.01 });
    adam.apply([tf.tensor2d([[0.5, -1]])], 0.01);
    const state = await adam.getState();
    expect(state.iteration).toBe(1);
    expect(state.m.w.shape).toEqual([1, 2]);
    expect([...state.m.w.values]).toEqual([Math.fround(0.05), Math.fround(-0.1)]);
    const other = new Adam([['w', tf.variable(tf.zeros([1, 2]))]], { lr: 0.01 });
    other.setState(state, 'test');
    expect(await other.getState()).toEqual(state);
    const wrong = new Adam([['u', tf.variable(tf.zeros([2]))]], { lr: 0.01 });
    expect(() => wrong.setState(state, 'file.ckpt')).toThrow(/file.ckpt: Adam m does not match the model: missing 1 variable\(s\): 'u'; 1 unexpected variable\(s\): 'w'/);
  });
});
