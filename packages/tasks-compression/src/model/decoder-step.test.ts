// config decoderStep 'own' (Cui et al. 2021's asymmetric inverse gain): the decoder's own Δ'(λ).
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@yoto/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { compressAt, decompressToTensor } from '../codec/codec.js';
import { toPaddedTensor } from '../codec/image.js';
import { BlsFactorizedTask } from '../task/bls-task.js';
import { expectExactDecode } from '../testing/exact-decode.js';
import { batchOf, syntheticImage, TINY } from '../testing/fixtures.js';
import { FactorizedPrior } from './factorized-prior.js';
import { ScaleHyperprior } from './scale-hyperprior.js';
import { CONDITIONING_SCOPE } from './scopes.js';

beforeAll(async () => {
  await initBackend();
});

const space = new BlsFactorizedTask().defaultSpace();
const STEPPED = { ...TINY, quantizationStep: 'lambda' as const };
const OWN = { ...STEPPED, decoderStep: 'own' as const };
const DECODER_LOW = `${CONDITIONING_SCOPE}decoder_log_step/low`;
const DECODER_HIGH = `${CONDITIONING_SCOPE}decoder_log_step/high`;

/** Equal up to float32 rounding, which scales with the largest values of the layers (not each output's own). */
function expectClose(got: tf.Tensor, want: tf.Tensor): void {
  const g = got.dataSync();
  const w = want.dataSync();
  expect(g.length).toBe(w.length);
  const tolerance = 1e-5 * (1 + Math.max(...Array.from(w, Math.abs)));
  w.forEach((v, i) => expect(Math.abs(g[i] - v)).toBeLessThan(tolerance));
}

const byName = (m: { params: { entries(): [string, tf.Variable][] } }): Map<string, tf.Variable> => new Map(m.params.entries());

describe("decoderStep 'own'", () => {
  it('adds two zero-initialised [M] offsets and leaves every other initial weight as it was', () => {
    for (const Model of [FactorizedPrior, ScaleHyperprior]) {
      const plain = new Model({ space, conditioned: true, seed: 3, config: STEPPED });
      const own = new Model({ space, conditioned: true, seed: 3, config: OWN });
      const a = byName(plain);
      const b = byName(own);
      expect([...b.keys()].filter((n) => !a.has(n)).sort()).toEqual([DECODER_HIGH, DECODER_LOW]);
      expect([...a.keys()].filter((n) => !b.has(n))).toEqual([]);
      for (const n of [DECODER_LOW, DECODER_HIGH]) {
        expect(b.get(n)!.shape).toEqual([TINY.M]);
        expect(Array.from(b.get(n)!.dataSync())).toEqual(Array(TINY.M).fill(0));
      }
      for (const [n, v] of a) expect(Array.from(b.get(n)!.dataSync()), n).toEqual(Array.from(v.dataSync()));
      plain.dispose();
      own.dispose();
    }
  });

  it("decodes ŷ·Δ'(λ): the synthesis of a model without it given ŷ·exp(offset), the offset log-linear in λ's range position", () => {
    const plain = new ScaleHyperprior({ space, conditioned: true, seed: 4, config: STEPPED });
    const own = new ScaleHyperprior({ space, conditioned: true, seed: 4, config: OWN });
    const [low, high] = [0.5, -0.3];
    byName(own).get(DECODER_LOW)!.assign(tf.fill([TINY.M], low));
    byName(own).get(DECODER_HIGH)!.assign(tf.fill([TINY.M], high));
    const yHat = tf.round(tf.mul(tf.randomNormal([1, 3, 2, TINY.M], 0, 1, 'float32', 7), 3)) as tf.Tensor4D;
    const [lo, hi] = own.lambdaRange;
    // u = −1, 0 (the geometric middle), +1.
    for (const [lambda, offset] of [
      [lo, low],
      [Math.sqrt(lo * hi), (low + high) / 2],
      [hi, high],
    ]) {
      const cond = own.conditionFor([lambda])!;
      const got = own.synthesis(yHat, cond);
      const want = plain.synthesis(tf.mul(yHat, Math.exp(offset)) as tf.Tensor4D, cond);
      expectClose(got, want);
      // The encoder side is untouched: the same latents as the model without it.
      const x = batchOf([syntheticImage(32, 32, 2)]);
      expect(Array.from(own.analysis(x, cond).dataSync())).toEqual(Array.from(plain.analysis(x, cond).dataSync()));
      tf.dispose([cond, got, want, x]);
    }
    yHat.dispose();
    plain.dispose();
    own.dispose();
  });

  it('trains: the loss has a gradient on both offsets, different at the two ends', () => {
    const m = new ScaleHyperprior({ space, conditioned: true, seed: 5, config: OWN });
    const x = batchOf([syntheticImage(32, 32, 3), syntheticImage(32, 32, 4)]);
    const cond = m.conditionFor([0.002, 0.15])!;
    const vars = [byName(m).get(DECODER_LOW)!, byName(m).get(DECODER_HIGH)!];
    const { grads } = tf.variableGrads(() => tf.mean(tf.squaredDifference(m.trainForward(x, cond, 3).xHat, x)) as tf.Scalar, vars);
    const norms = vars.map((v) => tf.sum(tf.abs(grads[v.name])).dataSync()[0]);
    for (const n of norms) expect(n).toBeGreaterThan(0);
    expect(norms[0]).not.toBe(norms[1]);
    tf.dispose([x, cond, ...Object.values(grads)]);
    m.dispose();
  });

  it('codes through the real coder: exact decode, and the decoded pixels follow the decoder’s step', () => {
    const m = new ScaleHyperprior({ space, conditioned: true, seed: 6, config: OWN });
    byName(m).get(DECODER_LOW)!.assign(tf.linspace(-0.4, 0.4, TINY.M));
    byName(m).get(DECODER_HIGH)!.assign(tf.linspace(0.3, -0.3, TINY.M));
    const image = syntheticImage(48, 40, 6);
    for (const lambda of [0.0018, 0.18]) expectExactDecode(m, image, lambda);
    // The decoder's pixels are the synthesis of the file's symbols times Δ', not Δ: those of the
    // model without the offsets given the symbols scaled by exp(offset) per channel (λ = 0.18: u = +1).
    const enc = compressAt(m, image, 0.18);
    const decoded = decompressToTensor(m, enc.bytes).xHat;
    const x = toPaddedTensor(image);
    const plain = new ScaleHyperprior({ space, conditioned: true, seed: 6, config: STEPPED });
    const a = m.encoderForward(x, 0.18);
    const cond = plain.conditionFor([0.18])!;
    const want = plain.synthesis(tf.mul(a.ySymbols, tf.reshape(tf.exp(tf.linspace(0.3, -0.3, TINY.M)), [1, 1, 1, TINY.M])) as tf.Tensor4D, cond);
    expectClose(decoded, want);
    const unscaled = plain.synthesis(a.ySymbols, cond);
    expect(tf.max(tf.abs(tf.sub(decoded, unscaled))).dataSync()[0]).toBeGreaterThan(1e-3);
    // The encoder's symbols do not depend on the decoder's step.
    const b = plain.encoderForward(x, 0.18);
    expect(Array.from(a.ySymbols.dataSync())).toEqual(Array.from(b.ySymbols.dataSync()));
    tf.dispose([decoded, x, cond, want, unscaled, ...Object.values(a), ...Object.values(b)]);
    plain.dispose();
    m.dispose();
  });

  it('a fixed-λ baseline ignores it (no variables), and a model without a learned step refuses it by name', () => {
    const base = new ScaleHyperprior({ space, conditioned: false, seed: 2, config: OWN, lambda: 0.018 });
    expect(base.params.entries().filter(([n]) => n.includes('decoder_log_step'))).toEqual([]);
    base.dispose();
    expect(() => new ScaleHyperprior({ space, conditioned: true, seed: 1, config: { ...TINY, decoderStep: 'own' } })).toThrow(
      /^scale-hyperprior config: decoderStep 'own' needs quantizationStep 'lambda'.*got quantizationStep "unit"$/,
    );
    expect(() => new FactorizedPrior({ space, conditioned: true, seed: 1, config: { ...STEPPED, decoderStep: 'both' as never } })).toThrow(
      /^factorized-prior config: decoderStep must be 'encoder' or 'own', got "both"$/,
    );
  });
});
