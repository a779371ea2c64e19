import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@yoto/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchOf, syntheticImage, TINY } from '../testing/fixtures.js';
import { BlsFactorizedTask } from '../task/bls-task.js';
import { COLOUR_BASIS, COLOUR_MEAN, COLOUR_VARIANCES, ColourWhitening } from './colour.js';
import { FactorizedPrior } from './factorized-prior.js';
import { ScaleHyperprior } from './scale-hyperprior.js';

beforeAll(async () => {
  await initBackend('cpu');
});

/** The covariance the constants were taken from (research/colour-statistics.ts on BSDS500 train + test). */
const COVARIANCE = [
  [0.06311146394044126, 0.053071687505104215, 0.04365614511120797],
  [0.053071687505104215, 0.05527738307027255, 0.05017066265958098],
  [0.04365614511120797, 0.05017066265958098, 0.060099716549369714],
];

/** Pixels x = μ + V·D^(½)·s for whitened components s, computed on the host in float64. */
function pixelOf(s: number[]): number[] {
  return [0, 1, 2].map((i) => COLOUR_MEAN[i] + [0, 1, 2].reduce((a, k) => a + COLOUR_BASIS[i][k] * Math.sqrt(COLOUR_VARIANCES[k]) * s[k], 0));
}

describe('colour whitening', () => {
  it('is the eigen-decomposition of the training pixels’ covariance: V·D·Vᵀ = Σ, Vᵀ·V = I', () => {
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        const sigma = [0, 1, 2].reduce((a, k) => a + COLOUR_BASIS[i][k] * COLOUR_VARIANCES[k] * COLOUR_BASIS[j][k], 0);
        expect(sigma).toBeCloseTo(COVARIANCE[i][j], 6);
        const gram = [0, 1, 2].reduce((a, r) => a + COLOUR_BASIS[r][i] * COLOUR_BASIS[r][j], 0);
        expect(gram).toBeCloseTo(i === j ? 1 : 0, 6);
      }
    // The smallest-variance direction is green against red + blue: the axis short runs on raw RGB left uncoded.
    const g = COLOUR_BASIS.map((row) => row[0]);
    expect(Math.sign(g[1])).not.toBe(Math.sign(g[0]));
    expect(Math.sign(g[1])).not.toBe(Math.sign(g[2]));
    expect(COLOUR_VARIANCES[2] / COLOUR_VARIANCES[0]).toBeGreaterThan(50);
  });

  it('maps μ + V·D^(½)·s to s and centres h on μ (closed forms)', () => {
    const comps = [
      [0, 0, 0],
      [1, 0, 0],
      [0, -2, 0.5],
      [0.3, 0.7, -1.1],
    ];
    const colour = new ColourWhitening();
    const x = tf.tensor4d(comps.flatMap(pixelOf), [1, 2, 2, 3]);
    const s = colour.whiten(x);
    Array.from(s.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(comps.flat()[i], 4));
    const h = tf.tensor4d([0, 0, 0, 0.1, -0.2, 0.3], [1, 1, 2, 3]);
    const centred = colour.centre(h);
    Array.from(centred.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(COLOUR_MEAN[i % 3] + h.dataSync()[i], 6));
    tf.dispose([x, s, h, centred]);
    colour.dispose();
  });

  it('builds its tensors once: repeated calls allocate nothing that stays, dispose frees them, and so does the model’s', () => {
    const x = tf.tensor4d(pixelOf([0.3, 0.7, -1.1]), [1, 1, 1, 3]);
    const start = tf.memory().numTensors;
    const colour = new ColourWhitening();
    const held = tf.memory().numTensors;
    expect(held).toBe(start + 2); // the kernel and the mean
    for (let i = 0; i < 3; i++) {
      tf.dispose([colour.whiten(x), colour.centre(x)]);
      expect(tf.memory().numTensors).toBe(held);
    }
    // Built inside a caller's tidy, the tensors outlive it (a model may be constructed there).
    const inTidy: ColourWhitening[] = [];
    tf.tidy(() => {
      inTidy.push(new ColourWhitening());
    });
    expect(tf.memory().numTensors).toBe(held + 2);
    inTidy[0].dispose();
    colour.dispose();
    expect(tf.memory().numTensors).toBe(start);
    // Through a model: the whitened one holds the two tensors beside what the raw-RGB one holds, and
    // its dispose frees them (compared with the raw-RGB model, which holds and leaves the rest alike).
    const space = new BlsFactorizedTask().defaultSpace();
    for (const Model of [FactorizedPrior, ScaleHyperprior]) {
      const counts = (colourTransform: 'rgb' | 'whitened') => {
        const before = tf.memory().numTensors;
        const model = new Model({ space, conditioned: true, seed: 3, config: { ...TINY, colourTransform } });
        const built = tf.memory().numTensors - before;
        const condition = model.conditionFor([0.01]);
        for (let i = 0; i < 2; i++) {
          tf.dispose(model.analysis(x, condition));
          expect(tf.memory().numTensors - before).toBe(built + 1);
        }
        condition?.dispose();
        model.dispose();
        return { built, left: tf.memory().numTensors - before };
      };
      const rgb = counts('rgb');
      const white = counts('whitened');
      expect(white).toEqual({ built: rgb.built + 2, left: rgb.left });
    }
    x.dispose();
  });

  it("is the analysis' input map of both models with colourTransform 'whitened', the synthesis centred on μ (absent: raw RGB, as before)", () => {
    const space = new BlsFactorizedTask().defaultSpace();
    const x = batchOf([syntheticImage(32, 32, 5)]);
    for (const Model of [FactorizedPrior, ScaleHyperprior]) {
      const rgb = new Model({ space, conditioned: false, seed: 3, config: TINY });
      const white = new Model({ space, conditioned: false, seed: 3, config: { ...TINY, colourTransform: 'whitened' } });
      expect(white.config.colourTransform).toBe('whitened');
      expect(rgb.config).not.toHaveProperty('colourTransform');
      // Same seed, same weights: the models differ only by the two fixed maps around the transforms.
      const a = rgb.analysis(x, null);
      const b = white.analysis(x, null);
      const colour = new ColourWhitening();
      const viaWhite = rgb.analysis(tf.tidy(() => colour.whiten(x)), null);
      Array.from(b.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(viaWhite.dataSync()[i], 4));
      expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeGreaterThan(1e-3);
      const yHat = tf.round(a) as tf.Tensor4D;
      const decoded = white.synthesis(yHat, null);
      const viaUnwhite = tf.tidy(() => colour.centre(rgb.synthesis(yHat, null)));
      Array.from(decoded.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(viaUnwhite.dataSync()[i], 4));
      tf.dispose([a, b, viaWhite, yHat, decoded, viaUnwhite]);
      colour.dispose();
      rgb.dispose();
      white.dispose();
    }
    expect(() => new FactorizedPrior({ space, conditioned: false, seed: 1, config: { ...TINY, colourTransform: 'yuv' as never } })).toThrow(/colourTransform must be 'rgb' or 'whitened', got "yuv"/);
    x.dispose();
  });
});
