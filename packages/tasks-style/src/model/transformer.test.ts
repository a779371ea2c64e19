import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { defineSpace } from '@yoto/core';
import { styleSpaceSpec } from '../space.js';
import { buildStyleModel, upsample2 } from './transformer.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const space = defineSpace(styleSpaceSpec());
const tiny = { widths: [4, 6, 8] as [number, number, number], residualBlocks: 2, conditioningHidden: 8, conditioningLinear: false };

describe('style transformer', () => {
  it('maps [b, h, w, 3] to an image of the same shape in (0, 1); baselines have no conditioning network', () => {
    const m = buildStyleModel(tiny, { conditioned: true, space, seed: 1 });
    const x = tf.randomUniform([2, 16, 24, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const y = m.stylize(x, m.norms(tf.zeros([2, 5])));
    expect(y.shape).toEqual([2, 16, 24, 3]);
    const v = y.dataSync();
    expect(Math.min(...v)).toBeGreaterThan(0);
    expect(Math.max(...v)).toBeLessThan(1);
    const names = m.params.entries().map(([n]) => n);
    // 3 down + 2·2 residual + 2 up + out = 10 normalised layers, each with a CIN scale and shift head.
    expect(names.filter((n) => n.startsWith('conditioning/') && n.endsWith('/scale/kernel'))).toHaveLength(10);
    const b = buildStyleModel(tiny, { conditioned: false, space, seed: 1 });
    expect(b.params.entries().some(([n]) => n.startsWith('conditioning/'))).toBe(false);
    expect(b.params.entries().filter(([n]) => n.endsWith('/norm_scale'))).toHaveLength(10);
    expect(b.stylize(x, b.norms(null)).shape).toEqual([2, 16, 24, 3]);
    expect(() => b.norms(tf.zeros([2, 5]) as tf.Tensor2D)).toThrow(/baseline model takes no condition/);
    expect(() => m.norms(null)).toThrow(/needs the condition tensor/);
    expect(() => m.stylize(tf.zeros([1, 18, 16, 3]) as tf.Tensor4D, null)).toThrow(/multiples of 4/);
    m.dispose();
    b.dispose();
  });

  it('the conditional instance norms make the output depend on λ, per example', () => {
    const m = buildStyleModel(tiny, { conditioned: true, space, seed: 2 });
    // The heads start at zero (plain instance norm, the same output for every λ); give them values.
    for (const [n, v] of m.params.entries()) if (n.startsWith('conditioning/') && n.includes('/s')) v.assign(tf.randomNormal(v.shape, 0, 0.5, 'float32', 7));
    const img = tf.randomUniform([1, 16, 16, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const x = tf.concat([img, img, img]) as tf.Tensor4D;
    const cond = tf.tensor2d([[1, 0, 0, 0, 0], [0.1, 1, 1, 1, 1], [1, 0, 0, 0, 0]]);
    const y = m.stylize(x, m.norms(cond)).arraySync();
    const diff = (a: number, b: number) => Math.max(...tf.tensor(y[a]).sub(tf.tensor(y[b])).abs().dataSync());
    expect(diff(0, 1)).toBeGreaterThan(1e-2);
    expect(diff(0, 2)).toBe(0);
    m.dispose();
  });

  it('conditioningLinear: each CIN scale reads the centred weights directly, so it spans the box as W says', () => {
    const m = buildStyleModel({ ...tiny, conditioningLinear: true }, { conditioned: true, space, seed: 3 });
    const linear = m.params.entries().filter(([n]) => n.endsWith('/linear'));
    // A scale and a shift path per normalised layer, [5 weights, channels], zero at start.
    expect(linear).toHaveLength(20);
    expect(linear.find(([n]) => n === 'conditioning/down0/scale/linear')![1].shape).toEqual([5, 4]);
    expect(linear.every(([, v]) => tf.max(tf.abs(v)).dataSync()[0] === 0)).toBe(true);
    linear.find(([n]) => n === 'conditioning/res0a/scale/linear')![1].assign(tf.fill([5, 8], 0.1));
    // The box's low corner, its centre and its high corner, through the space's centred encoding.
    const cond = space.condition([0.1, 0, 0, 0, 0, 0.55, 0.5, 0.5, 0.5, 0.5, 1, 1, 1, 1, 1], 3);
    const scale = m.norms(cond)!.res0a.scale.arraySync();
    // 1 + 5 weights × ±1 × 0.1: the scale spans [0.5, 1.5] across the box and is the identity at its centre.
    scale[0].forEach((v) => expect(v).toBeCloseTo(0.5, 5));
    scale[1].forEach((v) => expect(v).toBeCloseTo(1, 5));
    scale[2].forEach((v) => expect(v).toBeCloseTo(1.5, 5));
    // Without the option (every run before it) the model has no such parameters.
    expect(buildStyleModel(tiny, { conditioned: true, space, seed: 3 }).params.entries().some(([n]) => n.endsWith('/linear'))).toBe(false);
    m.dispose();
  });

  it("conditioningInit: 'reference' makes every CIN parameter follow λ from the start (random heads ×0.1); 'zeros' and 'heHidden' start as the plain norm", () => {
    const cond = space.condition([0.1, 0, 0, 0, 0, 1, 1, 1, 1, 1], 2);
    const spread = (init: 'zeros' | 'reference' | 'heHidden') => {
      const m = buildStyleModel({ ...tiny, conditioningInit: init }, { conditioned: true, space, seed: 4 });
      const n = m.norms(cond)!.res0a;
      // How far the two corners' scales are apart, and how far the low corner's is from the identity.
      const s = n.scale.arraySync();
      const out = { corners: Math.max(...s[0].map((v, k) => Math.abs(v - s[1][k]))), fromOne: Math.max(...s[0].map((v) => Math.abs(v - 1))) };
      const hidden = m.params.entries().find(([name]) => name === 'conditioning/hidden/kernel')![1];
      const hiddenStd = Math.sqrt(tf.moments(hidden).variance.dataSync()[0]);
      m.dispose();
      return { ...out, hiddenStd };
    };
    const [zeros, reference, heHidden] = [spread('zeros'), spread('reference'), spread('heHidden')];
    expect(zeros.corners).toBe(0);
    expect(heHidden.corners).toBe(0);
    // m = 0.1 keeps the start near the identity, but not at it, and λ-dependent.
    expect(reference.corners).toBeGreaterThan(1e-3);
    expect(reference.fromOne).toBeGreaterThan(1e-3);
    expect(reference.fromOne).toBeLessThan(0.5);
    // Variance 2/fan-in over 5 weights (std 0.63) against Glorot's 2/(5 + 8) (std 0.39) for 8 hidden units.
    expect(heHidden.hiddenStd).toBeGreaterThan(1.2 * zeros.hiddenStd);
    expect(() => buildStyleModel({ ...tiny, conditioningInit: 'ones' as never }, { conditioned: true, space, seed: 4 })).toThrow(
      /conditioningInit must be 'zeros', 'reference', 'heHidden', got "ones"/,
    );
  });

  it('conditioningShared: false gives every CIN scale and shift its own hidden layer; conditioningSlope is the leaky slope', () => {
    const names = (c: object) => {
      const m = buildStyleModel({ ...tiny, ...c }, { conditioned: true, space, seed: 6 });
      const out = m.params.entries().map(([n]) => n);
      m.dispose();
      return out;
    };
    // Default (every run before the option): one shared hidden layer.
    expect(names({}).filter((n) => n.endsWith('hidden/kernel'))).toEqual(['conditioning/hidden/kernel']);
    const perHead = names({ conditioningShared: false }).filter((n) => n.endsWith('hidden/kernel'));
    // 10 normalised layers × (scale, shift).
    expect(perHead).toHaveLength(20);
    expect(perHead).toContain('conditioning/res0a/scale_hidden/kernel');
    expect(perHead).toContain('conditioning/out/shift_hidden/kernel');
    // The slope: with heads of ones and hidden biases of −1, each hidden unit is negative at the
    // centre of the box (c = 0), so a scale head reads slope × (−1) per unit: 1 + 8·slope·(−1).
    const scaleAt = (slope: number) => {
      const m = buildStyleModel({ ...tiny, conditioningSlope: slope }, { conditioned: true, space, seed: 6 });
      for (const [n, v] of m.params.entries()) {
        if (n === 'conditioning/hidden/bias') v.assign(tf.fill(v.shape, -1));
        if (n === 'conditioning/res0a/scale/kernel') v.assign(tf.ones(v.shape));
      }
      const s = m.norms(tf.zeros([1, 5]))!.res0a.scale.dataSync()[0];
      m.dispose();
      return s;
    };
    expect(scaleAt(0.01)).toBeCloseTo(1 - 8 * 0.01, 5);
    expect(scaleAt(0.2)).toBeCloseTo(1 - 8 * 0.2, 5);
    expect(() => buildStyleModel({ ...tiny, conditioningSlope: 1 }, { conditioned: true, space, seed: 6 })).toThrow('style network: conditioningSlope must be a number in [0, 1), got 1');
  });

  it('upsample2 repeats each pixel 2×2 and its gradient sums over the copies', () => {
    const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    expect(upsample2(x).reshape([4, 4]).arraySync()).toEqual([[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(upsample2(t as tf.Tensor4D), tf.range(0, 16).reshape([1, 4, 4, 1]))))(x);
    // Top-left pixel's copies sit at 0, 1, 4, 5.
    expect(g.reshape([4]).arraySync()).toEqual([0 + 1 + 4 + 5, 2 + 3 + 6 + 7, 8 + 9 + 12 + 13, 10 + 11 + 14 + 15]);
  });
});
