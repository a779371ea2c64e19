import * as tf from '@tensorflow/tfjs';
import { defineSpace, initBackend } from '@yoto/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchOf, syntheticImage, TINY, tinyModel } from '../testing/fixtures.js';
import { refitEntropyModel } from '../entropy/refit.js';
import { CONDITIONING_SCOPE, ENTROPY_SCOPE, FactorizedPrior, initialLogStep, STEP_SCOPE } from './factorized-prior.js';
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

  it('keeps the entropy model and the λ-conditioning under their own parameter scopes (for per-scope learning rates)', () => {
    const space = new BlsFactorizedTask().defaultSpace();
    const m = new FactorizedPrior({ space, conditioned: true, seed: 1, config: { ...TINY, quantizationStep: 'lambda' } });
    const byName = new Map(m.params.entries());
    const entropy = new Set<tf.Variable>(m.bottleneck.variables);
    expect(entropy.size).toBeGreaterThan(0);
    for (const [name, v] of byName) expect(name.startsWith(ENTROPY_SCOPE), name).toBe(entropy.has(v));
    expect([...byName.keys()].filter((n) => n.startsWith(CONDITIONING_SCOPE))).toEqual(expect.arrayContaining(['conditioning/log_step/low', 'conditioning/log_step/high']));
    m.dispose();
  });

  it("feeds the conditioning the space's condition: with 'range' encoding, log λ mapped onto [−1, 1] over the range", () => {
    const [low, high] = [0.0018, 0.18];
    const spec = { terms: ['distortion', 'rate'], distribution: { kind: 'logUniform' as const, term: 'distortion', low, high } };
    const x = batchOf([syntheticImage(16, 16, 5)]);
    const config = { ...TINY, densityKnots: 0 };
    const range = new FactorizedPrior({ space: defineSpace({ ...spec, encoding: 'range' }), conditioned: true, seed: 6, config });
    const raw = new FactorizedPrior({ space: defineSpace({ ...spec, encoding: 'log' }), conditioned: true, seed: 6, config });
    // The log-encoded model sees log λ itself, so λ = e^u gives it the input u: the range model at the ends
    // and the geometric middle of its range must then compute what the log model computes at e^−1, e^0, e^1.
    for (const [lambda, u] of [[low, -1], [Math.sqrt(low * high), 0], [high, 1]] as const) {
      const a = range.analysis(x, range.conditionFor([lambda])).dataSync();
      const b = raw.analysis(x, raw.conditionFor([Math.exp(u)])).dataSync();
      a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 4));
    }
    expect(range.analysis(x, range.conditionFor([low])).dataSync()).not.toEqual(raw.analysis(x, raw.conditionFor([low])).dataSync());
    range.dispose();
    raw.dispose();
    // Knots and Δ(λ) read the range position off the condition, so they need the range encoding.
    expect(() => new FactorizedPrior({ space: defineSpace({ ...spec, encoding: 'log' }), conditioned: true, seed: 1, config: TINY })).toThrow(
      /the space must encode 'distortion' as 'range'.*it encodes it 'log'/,
    );
    expect(() => new FactorizedPrior({ space: defineSpace(spec), conditioned: true, seed: 1, config: { ...TINY, conditioningInput: 'range' } as never })).toThrow(
      /option 'conditioningInput': it was removed when the coefficient space took over λ's encoding/,
    );
  });

  it("with quantizationStep 'lambda' codes y/Δ(λ) and decodes ŷ·Δ(λ), Δ starting at (λ/√(low·high))^(−½)", () => {
    const space = new BlsFactorizedTask().defaultSpace();
    const [low, high] = [0.0018, 0.18];
    const x = batchOf([syntheticImage(32, 32, 8)]);
    const stepped = new FactorizedPrior({ space, conditioned: true, seed: 9, config: { ...TINY, quantizationStep: 'lambda' } });
    const unit = new FactorizedPrior({ space, conditioned: true, seed: 9, config: TINY });
    expect(stepped.params.entries().map(([n]) => n).filter((n) => n.startsWith('conditioning/log_step/'))).toEqual(['conditioning/log_step/low', 'conditioning/log_step/high']);
    for (const lambda of [low, 0.01, high]) {
      const step = Math.sqrt(Math.sqrt(low * high) / lambda);
      const cond = stepped.conditionFor([lambda]);
      const y = unit.analysis(x, cond);
      const ys = stepped.analysis(x, cond).dataSync();
      y.dataSync().forEach((v, i) => expect(ys[i]).toBeCloseTo(v / step, 4));
      const xs = stepped.synthesis(y, cond).dataSync();
      unit.synthesis(tf.mul(y, step) as tf.Tensor4D, cond).dataSync().forEach((v, i) => expect(xs[i]).toBeCloseTo(v, 4));
    }
    // Lower λ, coarser step: fewer bits for the same image before any training.
    const bits = [low, high].map((l) => stepped.quantizedForward(x, l).bits.dataSync()[0]);
    expect(bits[0]).toBeLessThan(bits[1]);
    const baseline = new FactorizedPrior({ space, conditioned: false, seed: 9, config: { ...TINY, quantizationStep: 'lambda' } });
    // A baseline has no λ-dependent step, only its own (see the baseline test below).
    expect(baseline.params.entries().map(([n]) => n).filter((n) => n.includes('log_step'))).toEqual([`${STEP_SCOPE}log_step`]);
    baseline.dispose();
    stepped.dispose();
    unit.dispose();
    expect(() => new FactorizedPrior({ space, conditioned: true, seed: 1, config: { ...TINY, quantizationStep: 'fine' as 'unit' } })).toThrow(
      /quantizationStep must be 'unit' or 'lambda', got "fine"/,
    );
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

  it('a fixed-λ baseline starts at the operating point of its λ: its own quantization step, the YOTO model\'s Δ(λ) there', () => {
    // Before the baseline had its own step, baselines 100× apart in λ were the same network at
    // initialisation and could move apart only through the analysis weights at the base rate.
    const space = new BlsFactorizedTask().defaultSpace();
    const [low, high] = [0.0018, 0.18];
    const config = { ...TINY, quantizationStep: 'lambda' as const };
    const at = (lambda: number) => new FactorizedPrior({ space, conditioned: false, seed: 4, config, lambda });
    const lo = at(low);
    const hi = at(high);
    const yoto = new FactorizedPrior({ space, conditioned: true, seed: 4, config });
    const names = lo.params.entries().map(([n]) => n);
    expect(names).toContain(`${STEP_SCOPE}log_step`);
    expect(names.some((n) => n.startsWith(CONDITIONING_SCOPE))).toBe(false);
    // log Δ = −½·ln(λ/λ_mid): +¼·ln 100 at the low end, −¼·ln 100 at the high end, exactly the YOTO model's start.
    const byName = (m: FactorizedPrior, n: string) => new Map(m.params.entries()).get(n)!.dataSync();
    expect(initialLogStep([low, high], low)).toBeCloseTo(Math.log(100) / 4, 12);
    byName(lo, `${STEP_SCOPE}log_step`).forEach((v) => expect(v).toBeCloseTo(Math.log(100) / 4, 5));
    byName(hi, `${STEP_SCOPE}log_step`).forEach((v) => expect(v).toBeCloseTo(-Math.log(100) / 4, 5));
    byName(yoto, `${CONDITIONING_SCOPE}log_step/low`).forEach((v) => expect(v).toBeCloseTo(Math.log(100) / 4, 5));
    // Same backbone weights, latents in quantization steps 10× larger at the 100× larger λ.
    const x = batchOf([syntheticImage(32, 32, 3)]);
    const yl = lo.analysis(x, null).dataSync();
    const yh = hi.analysis(x, null).dataSync();
    yl.forEach((v, i) => expect(yh[i]).toBeCloseTo(10 * v, 3));
    // The synthesis multiplies the step back: ŷ·Δ is what the decoder sees.
    const sl = lo.synthesis(lo.analysis(x, null), null).dataSync();
    const sh = hi.synthesis(hi.analysis(x, null), null).dataSync();
    sl.forEach((v, i) => expect(sh[i]).toBeCloseTo(v, 4));
    // Without a λ (a direct build) the step starts at 1; a 'unit' baseline has none.
    expect(byName(new FactorizedPrior({ space, conditioned: false, seed: 4, config }), `${STEP_SCOPE}log_step`)[0]).toBe(0);
    expect(new FactorizedPrior({ space, conditioned: false, seed: 4, config: TINY }).params.entries().some(([n]) => n.startsWith(STEP_SCOPE))).toBe(false);
    expect(() => at(-1)).toThrow("a baseline's λ must be a finite number > 0, got -1");
    for (const m of [lo, hi, yoto]) m.dispose();
    x.dispose();
  });

  it("trainingQuantization 'mixed': the rate keeps the noise, the synthesis decodes the rounded latents with a straight-through gradient", () => {
    const space = new BlsFactorizedTask().defaultSpace();
    const x = batchOf([syntheticImage(32, 32, 11), syntheticImage(32, 32, 12)]);
    for (const conditioned of [false, true]) {
      const mixed = new FactorizedPrior({ space, conditioned, seed: 5, config: { ...TINY, quantizationStep: 'lambda', trainingQuantization: 'mixed' } });
      const noise = new FactorizedPrior({ space, conditioned, seed: 5, config: { ...TINY, quantizationStep: 'lambda' } });
      const cond = mixed.conditionFor([0.003, 0.1]);
      const m = mixed.trainForward(x, cond, 42);
      const n = noise.trainForward(x, cond, 42);
      // Same noise, same rate term.
      m.bits.dataSync().forEach((v, i) => expect(v).toBeCloseTo(n.bits.dataSync()[i], 3));
      // The synthesis saw exactly what the codec decodes (rounded around the coder's medians).
      const ev = mixed.evalForward(x, cond);
      m.xHat.dataSync().forEach((v, i) => expect(v).toBeCloseTo(ev.xHat.dataSync()[i], 4));
      expect(Array.from(m.xHat.dataSync())).not.toEqual(Array.from(n.xHat.dataSync()));
      // Straight-through: the distortion's gradient reaches the analysis (rounding alone would stop it).
      const kernel = new Map(mixed.params.entries()).get('g_a/conv0/kernel')!;
      const { grads } = tf.variableGrads(() => tf.mean(tf.square(tf.sub(mixed.trainForward(x, cond, 42).xHat, x))) as tf.Scalar, [kernel]);
      expect(tf.max(tf.abs(grads[kernel.name])).dataSync()[0]).toBeGreaterThan(0);
      tf.dispose([m.xHat, m.bits, n.xHat, n.bits, ev.xHat, ev.bits, grads[kernel.name]]);
      cond?.dispose();
      mixed.dispose();
      noise.dispose();
    }
    expect(() => new FactorizedPrior({ space, conditioned: false, seed: 1, config: { ...TINY, trainingQuantization: 'ste' as 'mixed' } })).toThrow(/trainingQuantization must be 'noise' or 'mixed', got "ste"/);
    x.dispose();
  });
});
