import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { gram, softmaxFeatures } from './gram.js';
import { featureDistance, gramDistance } from './terms.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// One example, 2×1 positions, 2 channels: F = [[1, 2], [3, 4]] (rows = positions).
const F = tf.tensor4d([1, 2, 3, 4], [1, 2, 1, 2]);

describe('gram', () => {
  it('is FᵀF / (H·W), per example', () => {
    // FᵀF = [[1+9, 2+12], [2+12, 4+16]] = [[10, 14], [14, 20]]; / 2 positions.
    expect(gram(F).arraySync()).toEqual([[[5, 7], [7, 10]]]);
    const two = tf.concat([F, tf.mul(F, 2)]) as tf.Tensor4D;
    expect(gram(two).arraySync()).toEqual([[[5, 7], [7, 10]], [[20, 28], [28, 40]]]);
  });

  it('softmax over positions per channel, times H·W, then Gram', () => {
    // Channel 0: softmax(1, 3) = (1, e²)/(1 + e²); channel 1: softmax(2, 4) — the same numbers.
    const p = 1 / (1 + Math.E ** 2);
    const q = 1 - p;
    const s = softmaxFeatures(F).arraySync()[0];
    expect(s[0][0][0]).toBeCloseTo(2 * p, 6);
    expect(s[1][0][0]).toBeCloseTo(2 * q, 6);
    expect(s[0][0][1]).toBeCloseTo(2 * p, 6);
    const g = gram(softmaxFeatures(F)).arraySync()[0];
    // Both channels equal u = 2·(p, q): every entry is (u·u)/2 = 2(p² + q²).
    for (const v of g.flat()) expect(v).toBeCloseTo(2 * (p * p + q * q), 6);
    // Temperature 2 halves the logits: softmax(0.5, 1.5).
    const p2 = 1 / (1 + Math.E);
    expect(softmaxFeatures(F, 2).arraySync()[0][0][0][0]).toBeCloseTo(2 * p2, 6);
    // Invariant to a shift of a channel (softmax), unlike the raw Gram.
    expect(softmaxFeatures(tf.add(F, 100) as tf.Tensor4D).arraySync()[0][0][0][0]).toBeCloseTo(2 * p, 5);
    expect(() => softmaxFeatures(F, 0)).toThrow(/temperature must be > 0/);
  });
});

describe('distances', () => {
  it('featureDistance and gramDistance are per-example means of squared differences', () => {
    const a = tf.tensor4d([1, 2, 3, 4, 0, 0, 0, 0], [2, 2, 1, 2]);
    const b = tf.tensor4d([1, 2, 3, 6, 1, 1, 1, 1], [2, 2, 1, 2]);
    expect(featureDistance(a, b).arraySync()).toEqual([1, 1]);
    const target = tf.tensor3d([[[5, 7], [7, 12]]]);
    // Example 0: only the (1,1) entry differs by 2 → 4/4; example 1: all-zero Gram vs target → (25+49+49+144)/4.
    expect(gramDistance(gram(a), target).arraySync()).toEqual([1, (25 + 49 + 49 + 144) / 4]);
  });
});
