import * as tf from '@tensorflow/tfjs';
import { initBackend, ParamStore, Rng } from '@yoto/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { TOTAL } from '../coder/quantize.js';
import { EntropyBottleneck } from './bottleneck.js';
import { logitsCdf } from './density.js';

beforeAll(async () => {
  await initBackend();
});

/** Randomises every density parameter so the tests see a non-trivial density. */
function randomize(store: ParamStore, seed: number): void {
  const rng = new Rng(seed);
  for (const [, v] of store.entries()) v.assign(tf.tensor(Float32Array.from({ length: v.size }, () => rng.normal() * 0.5), v.shape));
}

describe('entropy bottleneck', () => {
  it('bin likelihoods of the integers sum to 1 per channel, with and without λ-knots', () => {
    for (const knots of [0, 3]) {
      const store = new ParamStore(1);
      const eb = new EntropyBottleneck(store.scope('eb'), 2, { knots });
      const ys = tf.tidy(() => tf.reshape(tf.tile(tf.expandDims(tf.range(-300, 301, 1, 'float32'), 1), [1, 2]), [1, 601, 1, 2]) as tf.Tensor4D);
      for (const t of [0, 1.3, 2]) {
        const lik = eb.likelihood(ys, knots ? tf.tensor1d([t]) : null);
        const sums = tf.sum(lik, [0, 1, 2]).dataSync();
        expect(sums[0]).toBeCloseTo(1, 4);
        expect(sums[1]).toBeCloseTo(1, 4);
      }
      store.dispose();
    }
  });

  it('float64 coding density agrees with the tfjs likelihood, and tables with both', () => {
    const store = new ParamStore(2);
    const eb = new EntropyBottleneck(store.scope('eb'), 3, { knots: 4 });
    randomize(store, 9);
    const w = eb.snapshot();
    // logitsCdf in float64 against the tfjs bin probability at a few points.
    const t = 1.7;
    const model = eb.codingModel(t);
    for (let c = 0; c < 3; c++) {
      const { cdf, offset } = model.tables[c];
      const m = model.medians[c];
      const qs = Array.from({ length: cdf.length - 2 }, (_, i) => offset + i);
      const y = tf.tensor4d(
        qs.flatMap((q) => [0, 1, 2].map((cc) => (cc === c ? q + m : 0))),
        [1, qs.length, 1, 3],
      );
      const lik = eb.likelihood(y, tf.tensor1d([t])).dataSync();
      let mass = 0;
      qs.forEach((q, i) => {
        const p = lik[i * 3 + c];
        mass += p;
        const f = (cdf[i + 1] - cdf[i]) / TOTAL;
        // Quantized table within 1/2^16 plus rounding of the largest bins.
        if (p > 1e-3) expect(Math.abs(f - p) / p).toBeLessThan(0.01);
      });
      expect(mass).toBeGreaterThan(1 - 1e-6);
      // The median is where the float64 cumulative crosses ½ (in the λ-scaled coordinates).
      expect(Math.abs(sigmoidOfLogits(w, c, t, m) - 0.5)).toBeLessThan(1e-5);
    }
    store.dispose();
  });

  it('learns a Gaussian source: rate approaches the entropy and the median its centre', () => {
    const store = new ParamStore(3);
    const eb = new EntropyBottleneck(store.scope('eb'), 1);
    const opt = tf.train.adam(0.05);
    const rng = new Rng(4);
    const sample = (n: number): tf.Tensor4D => tf.tensor4d(Float32Array.from({ length: n }, () => 2 + 4 * rng.normal()), [1, n, 1, 1]);
    let seed = 0;
    for (let step = 0; step < 300; step++) {
      const y = sample(512);
      opt.minimize(() => tf.tidy(() => tf.neg(tf.mean(tf.log(eb.likelihood(EntropyBottleneck.addNoise(y, seed++), null))))) as tf.Scalar, false, store.variables);
      y.dispose();
    }
    // Differential entropy of N(2, 4²) convolved with U(−½, ½) ≈ that of N(2, 16 + 1/12): 3.9 nats → 4.05 bits.
    const y = sample(20_000);
    const bits = tf.tidy(() => -tf.mean(tf.log(eb.likelihood(EntropyBottleneck.addNoise(y, 1e6), null))).dataSync()[0] / Math.LN2);
    expect(bits).toBeGreaterThan(4.0);
    expect(bits).toBeLessThan(4.15);
    expect(eb.codingModel(0).medians[0]).toBeCloseTo(2, 0);
    store.dispose();
  });

  it('with knots it fits a source whose spread depends on λ; without, it cannot', () => {
    const results: number[] = [];
    for (const knots of [0, 2]) {
      const store = new ParamStore(5);
      const eb = new EntropyBottleneck(store.scope('eb'), 1, { knots });
      const opt = tf.train.adam(0.05);
      const rng = new Rng(6);
      const batch = (n: number) => {
        // Knot position 0: spread 0.3 (nearly always 0 after rounding); position 1: spread 8.
        const pos = Float32Array.from({ length: n }, (_, i) => i % 2);
        const y = Float32Array.from(pos, (p) => rng.normal() * (p ? 8 : 0.3));
        return { y: tf.tensor4d(y, [n, 1, 1, 1]), pos: tf.tensor1d(pos) };
      };
      for (let step = 0; step < 300; step++) {
        const { y, pos } = batch(512);
        opt.minimize(() => tf.tidy(() => tf.neg(tf.mean(tf.log(eb.likelihood(EntropyBottleneck.addNoise(y, step), knots ? pos : null))))) as tf.Scalar, false, store.variables);
        tf.dispose([y, pos]);
      }
      const { y, pos } = batch(20_000);
      results.push(tf.tidy(() => -tf.mean(tf.log(eb.likelihood(EntropyBottleneck.addNoise(y, 99), knots ? pos : null))).dataSync()[0] / Math.LN2));
      store.dispose();
    }
    // Ideal: mean of h(N(0, 0.09+1/12)) and h(N(0, 64+1/12)) ≈ (0.78 + 5.05) / 2 ≈ 2.9 bits.
    expect(results[1]).toBeLessThan(3.05);
    expect(results[0] - results[1]).toBeGreaterThan(0.3);
  });

  it('gives the bin centred on the median of a symmetric density its real probability', () => {
    // Untrained factors are 0, so the logits are affine in y and the density is a symmetric
    // logistic: at ŷ = median, lower + upper = 0 exactly, which once produced a likelihood of 0.
    const store = new ParamStore(11);
    const eb = new EntropyBottleneck(store.scope('eb'), 2);
    const { medians } = eb.codingModel(0);
    const w = eb.snapshot();
    const lik = eb.likelihood(tf.tensor4d(Array.from(medians), [1, 1, 1, 2]), null).dataSync();
    for (let c = 0; c < 2; c++) {
      const sig = (u: number): number => 1 / (1 + Math.exp(-u));
      const want = sig(logitsCdf(w, c, medians[c] + 0.5)) - sig(logitsCdf(w, c, medians[c] - 0.5));
      expect(lik[c]).toBeCloseTo(want, 6);
      expect(lik[c]).toBeGreaterThan(0.01);
    }
    store.dispose();
  });

  it('rejects a missing knot position and a wrong channel count', () => {
    const store = new ParamStore(7);
    const eb = new EntropyBottleneck(store.scope('eb'), 2, { knots: 2 });
    expect(() => eb.likelihood(tf.zeros([1, 1, 1, 2]), null)).toThrow(/knot position/);
    expect(() => eb.likelihood(tf.zeros([1, 1, 1, 3]), tf.tensor1d([0]))).toThrow(/expected 2 channels/);
    expect(() => new EntropyBottleneck(store.scope('x'), 2, { knots: 1 })).toThrow(/knots/);
    store.dispose();
  });
});

function sigmoidOfLogits(w: ReturnType<EntropyBottleneck['snapshot']>, c: number, t: number, y: number): number {
  // Same interpolation as density.locationScale, written out for the check.
  const i = Math.min(Math.floor(t), w.knots - 2);
  const f = t - i;
  const mu = (1 - f) * w.loc![i * w.channels + c] + f * w.loc![(i + 1) * w.channels + c];
  const s = Math.exp((1 - f) * w.logScale![i * w.channels + c] + f * w.logScale![(i + 1) * w.channels + c]);
  return 1 / (1 + Math.exp(-logitsCdf(w, c, (y - mu) / s)));
}
