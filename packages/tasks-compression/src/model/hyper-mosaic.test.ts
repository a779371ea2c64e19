import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@yoto/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { BlsFactorizedTask } from '../task/bls-task.js';
import { batchOf, syntheticImage, TINY } from '../testing/fixtures.js';
import { filmMosaic, fromMosaic, mosaicGrid, toMosaic } from './hyper-mosaic.js';
import { ScaleHyperprior } from './scale-hyperprior.js';

beforeAll(async () => {
  await initBackend('cpu');
});

/** Spatial taps (row, column) of a [k, k, in, out] kernel whose gradient is exactly zero over every channel. */
function deadTaps(grad: tf.Tensor): string[] {
  const [k] = grad.shape;
  const sums = tf.tidy(() => tf.sum(tf.abs(grad), [2, 3]).arraySync() as number[][]);
  const dead: string[] = [];
  for (let r = 0; r < k; r++) for (let c = 0; c < k; c++) if (sums[r][c] === 0) dead.push(`${r},${c}`);
  return dead;
}

/** Taps of each hyper-transform kernel that one training step of 64-px crops leaves without a gradient. */
function deadHyperTaps(m: ScaleHyperprior, crops: number): Record<string, string[]> {
  const x = batchOf(Array.from({ length: crops }, (_, i) => syntheticImage(64, 64, i + 1)));
  const hyper = m.params.entries().filter(([n]) => /^h_[as]\/.*kernel$/.test(n));
  const { grads } = tf.variableGrads(() => tf.mean(m.trainForward(x, null, 5).bits) as tf.Scalar, hyper.map(([, v]) => v));
  const out = Object.fromEntries(hyper.map(([n, v]) => [n, deadTaps(grads[v.name])]));
  tf.dispose([x, ...Object.values(grads)]);
  return out;
}

describe('hyper-latent mosaic of a training batch', () => {
  it('lays blocks out row by row and back exactly; the grid is the most nearly square one', () => {
    expect([1, 2, 6, 8, 9, 7].map(mosaicGrid)).toEqual([
      [1, 1],
      [1, 2],
      [2, 3],
      [2, 4],
      [3, 3],
      [1, 7],
    ]);
    const x = tf.tensor4d(Array.from({ length: 6 * 2 * 3 * 1 }, (_, i) => i), [6, 2, 3, 1]);
    const m = toMosaic(x, 2, 3);
    expect(m.shape).toEqual([1, 4, 9, 1]);
    // Block 4 (row 1, column 1) starts at (2, 3): its first value is 4·6 = 24.
    expect(m.arraySync()[0][2][3][0]).toBe(24);
    expect(Array.from(fromMosaic(m, 2, 3).dataSync())).toEqual(Array.from(x.dataSync()));
    // FiLM per block: block k scaled by k + 1 and shifted by −k.
    const scale = tf.tensor2d([1, 2, 3, 4, 5, 6], [6, 1]);
    const shift = tf.tensor2d([0, -1, -2, -3, -4, -5], [6, 1]);
    const filmed = fromMosaic(filmMosaic(m, { scale, shift }, 2, 3), 2, 3).arraySync();
    const xs = x.arraySync();
    for (let k = 0; k < 6; k++) expect(filmed[k][1][2][0]).toBe(xs[k][1][2][0] * (k + 1) - k);
    tf.dispose([x, m, scale, shift]);
  });

  it('gives every tap of h_a and h_s a gradient on 64-px crops; one crop alone (z 1×1) leaves 21 of 25 taps of two layers untrained', () => {
    const space = new BlsFactorizedTask().defaultSpace();
    const m = new ScaleHyperprior({ space, conditioned: false, seed: 4, config: TINY });
    // A batch of one has no mosaic: the geometry every 64-px crop had before.
    const alone = deadHyperTaps(m, 1);
    const outer = ['0,0', '0,1', '0,2', '0,3', '0,4', '1,0', '1,3', '1,4', '2,0', '2,3', '2,4', '3,0', '3,1', '3,2', '3,3', '3,4', '4,0', '4,1', '4,2', '4,3', '4,4'];
    expect(alone['h_a/conv2/kernel']).toEqual(outer);
    expect(alone['h_s/deconv0/kernel']).toEqual(outer);
    // Eight crops (the experiment's batch) as a 2 × 4 mosaic: no tap of any hyper layer is left out.
    const batch = deadHyperTaps(m, 8);
    for (const [name, dead] of Object.entries(batch)) expect(dead, name).toEqual([]);
    m.dispose();
  });

  it('modulates each block of a conditioned model by its own λ', () => {
    const space = new BlsFactorizedTask().defaultSpace();
    const m = new ScaleHyperprior({ space, conditioned: true, seed: 4, config: TINY });
    const x = batchOf([syntheticImage(64, 64, 1), syntheticImage(64, 64, 2)]);
    const head = new Map(m.params.entries()).get('conditioning/h_s2/scale/kernel')!;
    const bitsAt = (lambdas: number[]): Float32Array => {
      const cond = m.conditionFor(lambdas)!;
      const out = m.trainForward(x, cond, 5);
      const bits = out.bits.dataSync() as Float32Array;
      tf.dispose([cond, out.xHat, out.bits]);
      return bits;
    };
    // The first crop's λ moves the first crop's rate; the FiLM heads of h_s get a gradient through the mosaic.
    const [a, b] = [bitsAt([0.002, 0.1]), bitsAt([0.15, 0.1])];
    expect(a[0]).not.toBeCloseTo(b[0], 2);
    const cond = m.conditionFor([0.002, 0.1])!;
    const { grads } = tf.variableGrads(() => tf.mean(m.trainForward(x, cond, 5).bits) as tf.Scalar, [head]);
    expect(tf.max(tf.abs(grads[head.name])).dataSync()[0]).toBeGreaterThan(0);
    tf.dispose([x, cond, grads[head.name]]);
    m.dispose();
  });
});
