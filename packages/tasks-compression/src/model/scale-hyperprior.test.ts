import * as tf from '@tensorflow/tfjs';
import { createTask, initBackend } from '@yoto/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { BlsFactorizedTask } from '../task/bls-task.js';
import '../task/register.js';
import { batchOf, syntheticImage, TINY, tinyHyperprior } from '../testing/fixtures.js';
import { ENTROPY_SCOPE, initialLogStep, STEP_SCOPE } from './factorized-prior.js';
import { ScaleHyperprior } from './scale-hyperprior.js';

beforeAll(async () => {
  await initBackend();
});

describe('scale-hyperprior model', () => {
  it('has CompressAI’s layout: the main transforms, h_a (3×3, 5×5/2, 5×5/2) and h_s, FiLM on every conditioned conv', () => {
    const m = tinyHyperprior();
    const names = m.params.entries().map(([n]) => n);
    for (const n of ['g_a/conv3/kernel', 'g_s/deconv3/kernel', 'h_a/conv0/kernel', 'h_a/conv2/kernel', 'h_s/deconv0/kernel', 'h_s/conv2/kernel']) expect(names).toContain(n);
    const shape = (n: string): number[] => m.params.entries().find(([k]) => k === n)![1].shape;
    expect(shape('h_a/conv0/kernel')).toEqual([3, 3, TINY.M, TINY.N]);
    expect(shape('h_s/conv2/kernel')).toEqual([3, 3, TINY.N, TINY.M]);
    const filmHeads = new Set(names.filter((n) => n.startsWith('conditioning/') && n.includes('/scale/')).map((n) => n.split('/')[1]));
    expect([...filmHeads].sort()).toEqual(['g_a0', 'g_a1', 'g_a2', 'g_a3', 'g_s0', 'g_s1', 'g_s2', 'h_a0', 'h_a1', 'h_a2', 'h_s0', 'h_s1', 'h_s2']);
    // The entropy bottleneck codes the N hyper-latent channels, λ-conditioned by knots.
    expect(m.bottleneck.channels).toBe(TINY.N);
    expect(m.bottleneck.knots).toBe(TINY.densityKnots);
    const base = tinyHyperprior(false);
    expect(base.params.entries().some(([n]) => n.startsWith('conditioning/'))).toBe(false);
    expect(base.bottleneck.knots).toBe(0);
    m.dispose();
    base.dispose();
  });

  it('trains every part: gradients reach g_a, g_s, h_a, h_s, the density and the conditioning; bits depend on λ', () => {
    const m = tinyHyperprior(true, 3);
    const x = batchOf([syntheticImage(48, 32, 1), syntheticImage(48, 32, 2)]);
    const cond = m.conditionFor([0.002, 0.15])!;
    const vars = m.params.entries();
    const { grads } = tf.variableGrads(() => {
      const out = m.trainForward(x, cond, 7);
      return tf.add(tf.mean(out.bits), tf.mul(tf.mean(tf.squaredDifference(out.xHat, x)), 1000)) as tf.Scalar;
    }, vars.map(([, v]) => v));
    // tfjs keys the gradients by its own variable names.
    expect(vars.filter(([, v]) => !grads[v.name]).map(([n]) => n)).toEqual([]);
    for (const prefix of ['g_a/', 'g_s/', 'h_a/', 'h_s/', ENTROPY_SCOPE, 'conditioning/']) {
      const norm = vars.filter(([n]) => n.startsWith(prefix)).reduce((s, [, v]) => s + tf.sum(tf.abs(grads[v.name])).dataSync()[0], 0);
      expect(norm, prefix).toBeGreaterThan(0);
    }
    // The same noise, another λ: the FiLM-conditioned transforms give another rate.
    const a = m.trainForward(x, m.conditionFor([0.002, 0.002]), 7).bits.dataSync();
    const b = m.trainForward(x, m.conditionFor([0.15, 0.15]), 7).bits.dataSync();
    expect(a[0]).not.toBe(b[0]);
    m.dispose();
  });

  it("a baseline learns its own step from Δ(λ); 'mixed' decodes round(y) in training with a straight-through gradient", () => {
    const space = new BlsFactorizedTask().defaultSpace();
    const range = [space.support('distortion').min, space.support('distortion').max] as const;
    const base = new ScaleHyperprior({ space, conditioned: false, seed: 2, config: { ...TINY, quantizationStep: 'lambda' }, lambda: 0.18 });
    const logStep = new Map(base.params.entries()).get(`${STEP_SCOPE}log_step`)!;
    expect(logStep.dataSync()[0]).toBeCloseTo(initialLogStep(range, 0.18), 6);
    base.dispose();
    const x = batchOf([syntheticImage(32, 32, 3), syntheticImage(32, 32, 4)]);
    const m = new ScaleHyperprior({ space, conditioned: true, seed: 2, config: { ...TINY, quantizationStep: 'lambda', trainingQuantization: 'mixed' } });
    const cond = m.conditionFor([0.003, 0.1]);
    const out = m.trainForward(x, cond, 9);
    const rounded = tf.tidy(() => m.synthesis(tf.round(m.analysis(x, cond)) as tf.Tensor4D, cond));
    out.xHat.dataSync().forEach((v, i) => expect(v).toBeCloseTo(rounded.dataSync()[i], 4));
    const kernel = new Map(m.params.entries()).get('g_a/conv0/kernel')!;
    const { grads } = tf.variableGrads(() => tf.mean(tf.square(tf.sub(m.trainForward(x, cond, 9).xHat, x))) as tf.Scalar, [kernel]);
    expect(tf.max(tf.abs(grads[kernel.name])).dataSync()[0]).toBeGreaterThan(0);
    tf.dispose([x, out.xHat, out.bits, rounded, grads[kernel.name]]);
    cond?.dispose();
    m.dispose();
  });

  it('names itself in configuration errors', () => {
    const space = new BlsFactorizedTask().defaultSpace();
    expect(() => new ScaleHyperprior({ space, conditioned: true, seed: 1, config: { ...TINY, n: 2 } as never })).toThrow(/^scale-hyperprior config: unknown option 'n'/);
    expect(() => new ScaleHyperprior({ space, conditioned: true, seed: 1, config: { ...TINY, M: 0 } })).toThrow(/^scale-hyperprior config: M must be an integer ≥ 1/);
  });

  it("is the task's model with architecture 'hyperprior' (what a checkpoint stores), and other names are refused", () => {
    const task = createTask('bls-factorized', { architecture: 'hyperprior', config: TINY });
    const m = task.buildModel({ space: (task as BlsFactorizedTask).defaultSpace(), conditioned: true, seed: 1 });
    expect(m).toBeInstanceOf(ScaleHyperprior);
    m.params.dispose();
    expect(() => new BlsFactorizedTask({ architecture: 'joint' as never })).toThrow(/architecture must be one of factorized, hyperprior, got "joint"/);
  });
});
