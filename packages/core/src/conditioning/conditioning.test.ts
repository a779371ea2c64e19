import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ParamStore } from '../nn/params.js';
import { Rng } from '../random/rng.js';
import { film } from './film.js';
import { conditionalInstanceNorm } from './instance-norm.js';
import { ConditioningNetwork, REFERENCE_CONDITIONING } from './network.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function random(n: number, seed: number): Float32Array {
  const r = new Rng(seed);
  return Float32Array.from({ length: n }, () => r.normal());
}

describe('film', () => {
  it('scales and shifts each example and channel, broadcast over positions', () => {
    const [b, h, w, c] = [2, 3, 4, 5];
    const xs = random(b * h * w * c, 1), s = random(b * c, 2), t = random(b * c, 3);
    const y = tf.tidy(() => film(tf.tensor4d(xs, [b, h, w, c]), { scale: tf.tensor2d(s, [b, c]), shift: tf.tensor2d(t, [b, c]) }).dataSync());
    let worst = 0;
    for (let n = 0; n < b; n++)
      for (let p = 0; p < h * w; p++)
        for (let k = 0; k < c; k++) {
          const i = (n * h * w + p) * c + k;
          worst = Math.max(worst, Math.abs(y[i] - (xs[i] * s[n * c + k] + t[n * c + k])));
        }
    expect(worst).toBeLessThan(1e-6);
  });

  it('works on [batch, channels], shares a batch-1 modulation, and rejects mismatched shapes', () => {
    const y = tf.tidy(() => film(tf.tensor2d([1, 2, 3, 4], [2, 2]), { scale: tf.tensor2d([[2, 3]]), shift: tf.tensor2d([[1, -1]]) }).arraySync());
    expect(y).toEqual([[3, 5], [7, 11]]);
    const x = tf.zeros([2, 3, 3, 4]);
    expect(() => film(x, { scale: tf.ones([2, 3]) as tf.Tensor2D, shift: tf.zeros([2, 4]) as tf.Tensor2D })).toThrow(/scale must be \[2 or 1, 4\].*got \[2, 3\]/);
    expect(() => film(x, { scale: tf.ones([3, 4]) as tf.Tensor2D, shift: tf.zeros([2, 4]) as tf.Tensor2D })).toThrow(/scale must be/);
    expect(() => film(tf.zeros([4]), { scale: tf.ones([1, 4]) as tf.Tensor2D, shift: tf.zeros([1, 4]) as tf.Tensor2D })).toThrow(/\[batch, \.\.\., channels\]/);
  });
});

describe('conditionalInstanceNorm', () => {
  it('normalises each example and channel over height and width, then modulates', () => {
    const [b, h, w, c] = [2, 4, 3, 3];
    const xs = random(b * h * w * c, 4).map((v, i) => v * (1 + (i % 3)) + (i % 5));
    const s = random(b * c, 5), t = random(b * c, 6);
    const eps = 1e-3;
    const y = tf.tidy(() => conditionalInstanceNorm(tf.tensor4d(xs, [b, h, w, c]), { scale: tf.tensor2d(s, [b, c]), shift: tf.tensor2d(t, [b, c]) }, eps).dataSync());
    let worst = 0;
    for (let n = 0; n < b; n++)
      for (let k = 0; k < c; k++) {
        const idx = Array.from({ length: h * w }, (_, p) => (n * h * w + p) * c + k);
        const mu = idx.reduce((a, i) => a + xs[i], 0) / idx.length;
        const v = idx.reduce((a, i) => a + (xs[i] - mu) ** 2, 0) / idx.length;
        for (const i of idx) worst = Math.max(worst, Math.abs(y[i] - (((xs[i] - mu) / Math.sqrt(v + eps)) * s[n * c + k] + t[n * c + k])));
      }
    expect(worst).toBeLessThan(1e-5);
    expect(() => conditionalInstanceNorm(tf.zeros([2, 3, 4]) as never, { scale: tf.ones([2, 4]) as tf.Tensor2D, shift: tf.zeros([2, 4]) as tf.Tensor2D })).toThrow(
      /\[batch, height, width, channels\]/,
    );
  });
});

describe('ConditioningNetwork', () => {
  it('is exactly the identity at init when its heads are zero-initialised, and still learns', () => {
    const p = new ParamStore(1);
    const net = new ConditioningNetwork(p, { inputDim: 2, layers: [{ name: 'a', channels: 3 }, { name: 'b', channels: 5 }], headInit: 'zeros' });
    const cond = tf.tensor2d([[0.5, -1], [2, 3], [-4, 0]]);
    const out = net.apply(cond);
    expect(Object.keys(out)).toEqual(['a', 'b']);
    expect(out.a.scale.shape).toEqual([3, 3]);
    expect(out.b.shift.shape).toEqual([3, 5]);
    expect([...out.b.scale.dataSync()].every((v) => v === 1)).toBe(true);
    expect([...out.b.shift.dataSync()].every((v) => v === 0)).toBe(true);
    const x = tf.tensor4d(random(3 * 2 * 2 * 5, 7), [3, 2, 2, 5]);
    expect(film(x, out.b).dataSync()).toEqual(x.dataSync());
    // Zero heads still receive a gradient (the hidden activations are non-zero).
    const heads = p.entries().filter(([n]) => n.endsWith('/scale/kernel')).map(([, v]) => v);
    const { grads } = tf.variableGrads(() => tf.sum(tf.square(film(x, net.apply(cond).b))) as tf.Scalar, heads);
    expect(Math.max(...Object.values(grads).map((g) => tf.max(tf.abs(g)).dataSync()[0]))).toBeGreaterThan(0);
  });

  it('computes scale = 1 + m·a(λ), shift = m·b(λ) from one leaky-ReLU hidden layer, m = 0.1 by default as in the reference', () => {
    const p = new ParamStore(2);
    // No multiplier given: the default is the reference's (docs/benchmarks.md: scale 1 + 0.1·a, shift 0.1·b).
    const net = new ConditioningNetwork(p, { inputDim: 1, layers: [{ name: 'f', channels: 2 }], hidden: 4 });
    expect(net.multiplier).toBe(REFERENCE_CONDITIONING.multiplier);
    expect(p.entries().map(([n, v]) => [n, v.shape])).toEqual([
      ['conditioning/hidden/kernel', [1, 4]], ['conditioning/hidden/bias', [4]],
      ['conditioning/f/scale/kernel', [4, 2]], ['conditioning/f/scale/bias', [2]],
      ['conditioning/f/shift/kernel', [4, 2]], ['conditioning/f/shift/bias', [2]],
    ]);
    // Non-zero biases so that the closed form exercises every parameter.
    const v = Object.fromEntries(p.entries());
    v['conditioning/hidden/bias'].assign(tf.tensor1d([0.3, -0.2, 0.1, -0.5]));
    v['conditioning/f/scale/bias'].assign(tf.tensor1d([0.7, -0.4]));
    v['conditioning/f/shift/bias'].assign(tf.tensor1d([-0.6, 0.2]));
    const val = (n: string): Float32Array => v[`conditioning/${n}`].dataSync() as Float32Array;
    const [W1, b1, Ws, bs, Wt, bt] = ['hidden/kernel', 'hidden/bias', 'f/scale/kernel', 'f/scale/bias', 'f/shift/kernel', 'f/shift/bias'].map(val);
    const lambdas = [-2, 0.5, 3];
    const out = net.apply(tf.tensor2d(lambdas, [3, 1])).f;
    const scale = out.scale.arraySync(), shift = out.shift.arraySync();
    lambdas.forEach((l, r) => {
      const h = [0, 1, 2, 3].map((j) => {
        const z = l * W1[j] + b1[j];
        return z > 0 ? z : 0.01 * z;
      });
      for (let k = 0; k < 2; k++) {
        const a = h.reduce((acc, hj, j) => acc + hj * Ws[j * 2 + k], bs[k]);
        const b = h.reduce((acc, hj, j) => acc + hj * Wt[j * 2 + k], bt[k]);
        expect(scale[r][k]).toBeCloseTo(1 + 0.1 * a, 5);
        expect(shift[r][k]).toBeCloseTo(0.1 * b, 5);
      }
    });
  });

  it('with a linear path adds W·c to each head: zero at start, then scale = 1 + m·(W·c + V·h + b)', () => {
    const p = new ParamStore(6);
    const net = new ConditioningNetwork(p, { inputDim: 2, layers: [{ name: 'f', channels: 3 }], hidden: 4, multiplier: 0.5, headInit: 'zeros', linear: true });
    const v = Object.fromEntries(p.entries());
    expect(v['conditioning/f/scale/linear'].shape).toEqual([2, 3]);
    expect(v['conditioning/f/shift/linear'].shape).toEqual([2, 3]);
    const cond = tf.tensor2d([[-1, 1], [0.5, 0], [1, -0.25]]);
    // Exactly the identity at start, like the zero heads alone.
    expect([...net.apply(cond).f.scale.dataSync()].every((x) => x === 1)).toBe(true);
    const W = [[0.2, -0.4, 1], [0.6, 0.1, -2]];
    v['conditioning/f/scale/linear'].assign(tf.tensor2d(W));
    v['conditioning/f/shift/linear'].assign(tf.tensor2d(W).neg());
    const out = net.apply(cond).f;
    const scale = out.scale.arraySync(), shift = out.shift.arraySync();
    (cond.arraySync() as number[][]).forEach(([c0, c1], r) =>
      [0, 1, 2].forEach((k) => {
        const a = c0 * W[0][k] + c1 * W[1][k];
        expect(scale[r][k]).toBeCloseTo(1 + 0.5 * a, 5);
        expect(shift[r][k]).toBeCloseTo(-0.5 * a, 5);
      }),
    );
    // Without the option the parameters do not exist, so older checkpoints keep their shapes.
    const q = new ParamStore(6);
    new ConditioningNetwork(q, { inputDim: 2, layers: [{ name: 'f', channels: 3 }], hidden: 4 });
    expect(q.entries().some(([n]) => n.endsWith('/linear'))).toBe(false);
  });

  it('stays near identity at default init and names per-head hidden layers when not shared', () => {
    const p = new ParamStore(3);
    const net = new ConditioningNetwork(p, { inputDim: 1, layers: [{ name: 'enc1', channels: 32 }], sharedHidden: false });
    expect(p.entries().map(([n]) => n)).toContain('conditioning/enc1/scale_hidden/kernel');
    const out = net.apply(tf.tensor2d([[Math.log(1 / 8)], [Math.log(64)]]));
    const dev = tf.max(tf.abs(tf.sub(out.enc1.scale, 1))).dataSync()[0];
    expect(dev).toBeGreaterThan(0);
    expect(dev).toBeLessThan(0.5);
  });

  it("'he' initialises kernels normal with variance 2/fan-in (the YOTO reference's VarianceScaling(2.0)); biases stay zero", () => {
    const p = new ParamStore(7);
    new ConditioningNetwork(p, { inputDim: 5, layers: [{ name: 'f', channels: 300 }], hidden: 400, headInit: 'he', hiddenInit: 'he' });
    const v = Object.fromEntries(p.entries());
    const moments = (name: string): [number, number] => {
      const x = v[`conditioning/${name}`].dataSync() as Float32Array;
      const mean = x.reduce((a, b) => a + b, 0) / x.length;
      return [mean, Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length)];
    };
    // 2,000 and 120,000 draws: the sample std is within a few per cent of sqrt(2 / fan-in).
    for (const [name, fanIn] of [['hidden/kernel', 5], ['f/scale/kernel', 400], ['f/shift/kernel', 400]] as const) {
      const [mean, std] = moments(name);
      expect(Math.abs(mean)).toBeLessThan(0.1 * Math.sqrt(2 / fanIn));
      expect(std / Math.sqrt(2 / fanIn)).toBeGreaterThan(0.95);
      expect(std / Math.sqrt(2 / fanIn)).toBeLessThan(1.05);
    }
    expect(tf.max(tf.abs(v['conditioning/f/scale/bias'])).dataSync()[0]).toBe(0);
    // The default (Glorot uniform) is a different, narrower draw for the 5-input hidden layer.
    const q = new ParamStore(7);
    new ConditioningNetwork(q, { inputDim: 5, layers: [{ name: 'f', channels: 300 }], hidden: 400 });
    const glorot = Object.fromEntries(q.entries())['conditioning/hidden/kernel'].dataSync() as Float32Array;
    expect(Math.max(...glorot.map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / 405));
    expect(() => new ConditioningNetwork(new ParamStore(8), { inputDim: 1, layers: [{ name: 'a', channels: 1 }], headInit: 'lecun' as never })).toThrow(
      /headInit must be 'glorot', 'zeros' or 'he', got 'lecun'/,
    );
    expect(() => new ConditioningNetwork(new ParamStore(8), { inputDim: 1, layers: [{ name: 'a', channels: 1 }], hiddenInit: 'zeros' as never })).toThrow(
      /hiddenInit must be 'glorot' or 'he', got 'zeros'/,
    );
  });

  it('rejects bad options and conditions', () => {
    const p = new ParamStore(4);
    expect(() => new ConditioningNetwork(p, { inputDim: 0, layers: [{ name: 'a', channels: 1 }] })).toThrow(/inputDim must be an integer ≥ 1/);
    expect(() => new ConditioningNetwork(p, { inputDim: 1, layers: [{ name: 'a', channels: 0 }] })).toThrow(/layer 'a' channels/);
    expect(() => new ConditioningNetwork(p, { inputDim: 1, layers: [{ name: 'a', channels: 1 }, { name: 'a', channels: 2 }] })).toThrow(/'a' is listed twice/);
    const net = new ConditioningNetwork(new ParamStore(5), { inputDim: 2, layers: [{ name: 'a', channels: 1 }] });
    expect(() => net.apply(tf.zeros([3, 1]) as tf.Tensor2D)).toThrow(/condition must be \[batch, 2\], got \[3, 1\]/);
  });
});
