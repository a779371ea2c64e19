import * as tf from '@tensorflow/tfjs';
import { defineSpace, initBackend } from '@yoto/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchOf, syntheticImage, TINY, tinyModel } from '../testing/fixtures.js';
import { refitEntropyModel } from '../entropy/refit.js';
import { FactorizedPrior } from './factorized-prior.js';
import { BlsFactorizedTask } from '../task/bls-task.js';

beforeAll(async () => {
  await initBackend();
});

describe('factorized-prior model', () => {
  it('has the CompressAI layout: 4 strided convs with 3 GDNs each way, FiLM after all but the last synthesis conv', () => {
    const m = tinyModel();
    const names = m.params.entries().map(([n]) => n);
    for (let i = 0; i < 4; i++) {
      expect(names).toContain(`g_a/conv${i}/kernel`);
      expect(names).toContain(`g_s/deconv${i}/kernel`);
    }
    expect(names.filter((n) => /^g_a\/gdn\d\/gamma$/.test(n))).toHaveLength(3);
    expect(names.filter((n) => /^g_s\/igdn\d\/gamma$/.test(n))).toHaveLength(3);
    const filmHeads = new Set(names.filter((n) => n.startsWith('conditioning/') && n.includes('/scale/')).map((n) => n.split('/')[1]));
    expect([...filmHeads].sort()).toEqual(['g_a0', 'g_a1', 'g_a2', 'g_a3', 'g_s0', 'g_s1', 'g_s2']);
    expect(names).toContain('entropy_bottleneck/knots/log_scale');
    const x = batchOf([syntheticImage(32, 48, 1), syntheticImage(32, 48, 2)]);
    const cond = m.conditionFor([0.01, 0.1]);
    const y = m.analysis(x, cond);
    expect(y.shape).toEqual([2, 3, 2, TINY.M]);
    expect(m.synthesis(y, cond).shape).toEqual([2, 48, 32, 3]);
    m.dispose();
  });

  it('gives the entropy model and the conditioning network, and only them, their own learning-rate factors', () => {
    const space = new BlsFactorizedTask().defaultSpace();
    const m = new FactorizedPrior({ space, conditioned: true, seed: 1, config: TINY, entropyLearningRateScale: 10, conditioningLearningRateScale: 3 });
    const entropy = new Set<tf.Variable>(m.bottleneck.variables);
    expect(entropy.size).toBeGreaterThan(0);
    for (const [name, v] of m.params.entries()) expect(m.learningRateScale(name)).toBe(entropy.has(v) ? 10 : name.startsWith('conditioning/') ? 3 : 1);
    expect(m.params.entries().filter(([n]) => m.learningRateScale(n) === 3).length).toBeGreaterThan(0);
    m.dispose();
    expect(() => new FactorizedPrior({ space, conditioned: false, seed: 1, config: TINY, entropyLearningRateScale: 0 })).toThrow(/entropyLearningRateScale must be a finite number > 0, got 0/);
  });

  it('with zero-initialised FiLM heads starts independent of λ', () => {
    const space = new BlsFactorizedTask().defaultSpace();
    const x = batchOf([syntheticImage(16, 16, 3)]);
    const spread = (m: FactorizedPrior): number => {
      const [a, b] = [0.002, 0.15].map((l) => m.analysis(x, m.conditionFor([l])).dataSync());
      return Math.max(...a.map((v, i) => Math.abs(v - b[i])));
    };
    const zero = new FactorizedPrior({ space, conditioned: true, seed: 2, config: TINY, conditioningHeadInit: 'zeros' });
    const glorot = new FactorizedPrior({ space, conditioned: true, seed: 2, config: TINY });
    expect(spread(zero)).toBe(0);
    expect(spread(glorot)).toBeGreaterThan(1e-4);
    zero.dispose();
    glorot.dispose();
  });

  it('a baseline has the same backbone, no conditioning and a λ-independent density', () => {
    const yoto = tinyModel(true);
    const base = tinyModel(false);
    const backbone = (mm: FactorizedPrior) => mm.params.entries().map(([n]) => n).filter((n) => !n.startsWith('conditioning/') && !n.includes('knots'));
    expect(backbone(base)).toEqual(backbone(yoto));
    expect(base.params.entries().some(([n]) => n.startsWith('conditioning/') || n.includes('knots'))).toBe(false);
    expect(base.conditionFor([0.01])).toBeNull();
    const x = batchOf([syntheticImage(16, 16)]);
    expect(() => yoto.analysis(x, null)).toThrow(/λ-conditioned; a condition is required/);
    yoto.dispose();
    base.dispose();
  });

  it('conditions the latents on λ', () => {
    const m = tinyModel();
    const x = batchOf([syntheticImage(32, 32), syntheticImage(32, 32)]);
    const y = m.analysis(x, m.conditionFor([0.0018, 0.18])).dataSync();
    const half = y.length / 2;
    let diff = 0;
    for (let i = 0; i < half; i++) diff += Math.abs(y[i] - y[half + i]);
    expect(diff / half).toBeGreaterThan(1e-4);
    m.dispose();
  });

  it('validates its configuration and its space', () => {
    const space = defineSpace({ terms: ['distortion', 'rate'], distribution: { kind: 'logUniform', term: 'distortion', low: 0.001, high: 0.1 } });
    expect(() => new FactorizedPrior({ space, conditioned: true, seed: 1, config: { N: 0 } })).toThrow(/N must be an integer ≥ 1/);
    const noRate = defineSpace({ terms: ['distortion'], distribution: { kind: 'logUniform', term: 'distortion', low: 0.001, high: 0.1 } });
    expect(() => new FactorizedPrior({ space: noRate, conditioned: true, seed: 1 })).toThrow(/must include 'distortion' and 'rate'/);
    const fixed = defineSpace({ terms: ['distortion', 'rate'], distribution: { kind: 'fixed', term: 'distortion', value: 0.01 } });
    expect(() => new FactorizedPrior({ space: fixed, conditioned: true, seed: 1, config: TINY })).toThrow(/needs a space in which λ of 'distortion' varies/);
    const base = new FactorizedPrior({ space: fixed, conditioned: false, seed: 1, config: TINY });
    expect(base.lambdaRange).toEqual([0.01, 0.01]);
    base.dispose();
  });

  it('trains: the loss falls over a few Adam steps on one batch and no tensors leak', () => {
    const m = tinyModel();
    const x = batchOf([syntheticImage(32, 32, 3), syntheticImage(32, 32, 4)]);
    const cond = m.conditionFor([0.01, 0.05])!;
    const lambdas = tf.tensor1d([0.01, 0.05]);
    const opt = tf.train.adam(1e-2);
    const loss = (seed: number): tf.Scalar =>
      tf.tidy(() => {
        const { xHat, bits } = m.trainForward(x, cond, seed);
        const dist = tf.mul(tf.mean(tf.squaredDifference(xHat, x), [1, 2, 3]), 255 * 255);
        return tf.mean(tf.add(tf.mul(lambdas, dist), tf.div(bits, 32 * 32))) as tf.Scalar;
      });
    const first = loss(0).dataSync()[0];
    let before = 0;
    for (let step = 0; step < 25; step++) {
      if (step === 2) before = tf.memory().numTensors;
      opt.minimize(() => loss(step), false, m.params.variables);
    }
    expect(tf.memory().numTensors).toBe(before);
    const last = loss(0).dataSync()[0];
    expect(last).toBeLessThan(first * 0.9);
    m.dispose();
  });

  it('refits the entropy model alone: rate falls, transforms untouched', () => {
    const m = tinyModel();
    const transforms = m.params.entries().filter(([n]) => n.startsWith('g_a/') || n.startsWith('g_s/') || n.startsWith('conditioning/'));
    const before = transforms.map(([, v]) => v.dataSync().slice());
    const x = batchOf([syntheticImage(32, 32, 5), syntheticImage(32, 32, 6)]);
    const { firstBpp, lastBpp } = refitEntropyModel(m, () => x, { steps: 40, lr: 1e-2, seed: 1 });
    expect(lastBpp).toBeLessThan(firstBpp * 0.8);
    transforms.forEach(([, v], i) => expect(v.dataSync()).toEqual(before[i]));
    expect(() => refitEntropyModel(m, () => x, { steps: 0 })).toThrow(/positive integer/);
    m.dispose();
  });
});
