import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@yoto/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { TOTAL } from '../coder/quantize.js';
import { decodeValues, encodeValues } from '../coder/symbols.js';
import { defaultGaussianTables, gaussianLikelihood, gaussianTables, SCALE_BOUND, SCALE_TABLE, scaleIndexes, tableHalfWidth, TAIL_MASS } from './gaussian-conditional.js';
import { erfc, normalCdf, normalQuantile } from './normal.js';

beforeAll(async () => {
  await initBackend('cpu');
});

/** Φ(b) − Φ(a) by Simpson's rule on the density: a reference independent of erfc. */
function gaussianMass(a: number, b: number, scale: number): number {
  const n = 2000;
  const h = (b - a) / n;
  const pdf = (x: number): number => Math.exp(-0.5 * (x / scale) ** 2) / (scale * Math.sqrt(2 * Math.PI));
  let s = pdf(a) + pdf(b);
  for (let i = 1; i < n; i++) s += (i % 2 === 1 ? 4 : 2) * pdf(a + i * h);
  return (s * h) / 3;
}

describe('erfc and Φ in float64', () => {
  it('match C’s erfc (values from Python math.erfc) to 1e-13, deep in the tail too', () => {
    const reference: [number, number][] = [
      [0, 1],
      [0.1, 0.8875370839817152],
      [0.5, 0.4795001221869535],
      [1, 0.15729920705028513],
      [2, 0.004677734981047265],
      [2.5, 0.0004069520174449589],
      [3, 2.2090496998585438e-5],
      [5, 1.5374597944280351e-12],
      [10, 2.088487583762545e-45],
      [20, 5.3958656116079005e-176],
      [-2, 1.9953222650189528],
    ];
    for (const [x, r] of reference) expect(Math.abs(erfc(x) / r - 1), `erfc(${x})`).toBeLessThan(1e-13);
    expect(normalCdf(0)).toBe(0.5);
    // −Φ⁻¹(5e−10), CompressAI's multiplier for tail mass 1e−9 (Python statistics.NormalDist).
    expect(normalQuantile(5e-10)).toBeCloseTo(-6.1094102048693975, 10);
  });
});

describe('Gaussian conditional coding tables', () => {
  const tables = defaultGaussianTables();

  it('are 64 log-spaced scales from 0.11 to 256, each coding [−⌈6.11σ⌉, ⌈6.11σ⌉] plus an escape', () => {
    expect(SCALE_TABLE.length).toBe(64);
    expect(SCALE_TABLE[0]).toBeCloseTo(0.11, 14);
    expect(SCALE_TABLE[63]).toBeCloseTo(256, 10);
    expect(SCALE_TABLE[1] / SCALE_TABLE[0]).toBeCloseTo(SCALE_TABLE[63] / SCALE_TABLE[62], 12);
    tables.forEach((t, i) => {
      const c = Math.ceil(SCALE_TABLE[i] * 6.1094102048693975);
      expect(tableHalfWidth(SCALE_TABLE[i])).toBe(c);
      expect([t.offset, t.cdf.length]).toEqual([-c, 2 * c + 3]);
    });
  });

  it('hold the closed-form Gaussian masses Φ((q+½)/σ) − Φ((q−½)/σ), quantized to 16 bits', () => {
    tables.forEach((t, i) => {
      const scale = SCALE_TABLE[i];
      const support = t.cdf.length - 2;
      // Every symbol's frequency is 1 + ⌊p·(2^16 − n)⌋ (+1 for some remainders), so it is within 2 of that.
      const spare = TOTAL - (support + 1);
      for (let s = 0; s < support; s += Math.max(1, Math.floor(support / 50))) {
        const q = t.offset + s;
        const p = gaussianMass(q - 0.5, q + 0.5, scale);
        const freq = t.cdf[s + 1] - t.cdf[s];
        expect(Math.abs(freq - (1 + p * spare)), `σ = ${scale}, q = ${q}`).toBeLessThanOrEqual(2);
      }
      // The escape carries both tails: about TAIL_MASS, i.e. the minimum frequency.
      const escape = t.cdf[support + 1] - t.cdf[support];
      expect(escape).toBeLessThanOrEqual(2);
      const tails = 2 * normalCdf((-0.5 + t.offset) / scale);
      expect(tails).toBeLessThan(TAIL_MASS);
    });
  });

  it('builds the same tables again (they are constants, computed without tfjs)', () => {
    const again = gaussianTables();
    again.forEach((t, i) => expect(Buffer.from(t.cdf.buffer).equals(Buffer.from(tables[i].cdf.buffer))).toBe(true));
  });

  it('index a scale as CompressAI does: the first table scale ≥ max(σ, 0.11), the last above 256', () => {
    const rng = new Rng(3);
    const scales = Float32Array.from({ length: 2000 }, () => Math.exp(-4 + 11 * rng.uniform()));
    scales.set([0, 0.11, SCALE_TABLE[5], SCALE_TABLE[5] * 1.000001, 256, 1e9], 0);
    const idx = scaleIndexes(scales);
    scales.forEach((s, i) => {
      // CompressAI's build_indexes: start at 63, subtract one per table scale (but the last) ≥ σ.
      let ref = 63;
      for (let k = 0; k < 63; k++) if (Math.max(s, SCALE_BOUND) <= SCALE_TABLE[k]) ref--;
      expect(idx[i], `σ = ${s}`).toBe(ref);
    });
    expect(() => scaleIndexes([1, NaN])).toThrow(/scale at position 1 is NaN/);
  });

  it('code Gaussian samples exactly with rANS, within 4% of the ideal −Σ log2 p', () => {
    const rng = new Rng(11);
    const n = 20000;
    const scales = Float32Array.from({ length: n }, () => Math.exp(-3 + 7 * rng.uniform()));
    const values = new Int32Array(n);
    let ideal = 0;
    for (let i = 0; i < n; i++) {
      // Box–Muller draw, rounded: the source the tables are designed for.
      const g = Math.sqrt(-2 * Math.log(1 - rng.uniform())) * Math.cos(2 * Math.PI * rng.uniform());
      values[i] = Math.round(g * scales[i]);
      const s = Math.max(scales[i], SCALE_BOUND);
      ideal -= Math.log2(normalCdf((values[i] + 0.5) / s) - normalCdf((values[i] - 0.5) / s));
    }
    values[7] = 100000; // far outside any table: coded through the escape
    const idx = scaleIndexes(scales);
    const bytes = encodeValues(values, idx, tables);
    expect(Array.from(decodeValues(bytes, idx, tables))).toEqual(Array.from(values));
    // The table scales are ≥ the true ones (at most one table step, ×1.13), which costs a little.
    expect((bytes.length * 8) / ideal).toBeGreaterThan(0.99);
    expect((bytes.length * 8) / ideal).toBeLessThan(1.04);
  });
});

describe('Gaussian likelihood in tfjs (training)', () => {
  // Float32 throughout: where σ ≫ 1 both edges are near ½ and their difference keeps about 4 digits.
  it('matches the float64 closed form to 1e-4, in the tails and at the scale bound', () => {
    const values = [0, 0.3, -0.7, 1, 2.5, -4, 10, 30, 0.2, 3];
    const scales = [1, 0.5, 2, 0.05, 3, 1, 4, 2, 100, 0.11];
    const lik = gaussianLikelihood(tf.tensor4d(values, [1, 1, values.length, 1]), tf.tensor4d(scales, [1, 1, scales.length, 1])).dataSync();
    values.forEach((v, i) => {
      const s = Math.max(scales[i], SCALE_BOUND);
      const ref = Math.max(normalCdf((0.5 - Math.abs(v)) / s) - normalCdf((-0.5 - Math.abs(v)) / s), 1e-9);
      expect(Math.abs(lik[i] / ref - 1), `y = ${v}, σ = ${scales[i]}`).toBeLessThan(1e-4);
    });
  });

  it('passes gradients to the values and the scales', () => {
    const g = tf.grads((y: tf.Tensor, s: tf.Tensor) => tf.sum(tf.log(gaussianLikelihood(y as tf.Tensor4D, s as tf.Tensor4D))));
    const [dy, ds] = g([tf.tensor4d([1.5, -2], [1, 1, 2, 1]), tf.tensor4d([1, 1], [1, 1, 2, 1])]);
    const a = dy.dataSync();
    // log-likelihood falls as |y| grows and rises with the scale when |y| > σ.
    expect(a[0]).toBeLessThan(0);
    expect(a[1]).toBeGreaterThan(0);
    expect(Array.from(ds.dataSync()).every((v) => v > 0)).toBe(true);
  });
});
