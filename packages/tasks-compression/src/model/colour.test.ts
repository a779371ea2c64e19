import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@yoto/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchOf, syntheticImage, TINY } from '../testing/fixtures.js';
import { BlsFactorizedTask } from '../task/bls-task.js';
import { centreColour, COLOUR_BASIS, COLOUR_MEAN, COLOUR_VARIANCES, whitenColour } from './colour.js';
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

  it('maps μ + V·D^(½)·s to s (closed form)', () => {
    const comps = [
      [0, 0, 0],
      [1, 0, 0],
      [0, -2, 0.5],
      [0.3, 0.7, -1.1],
    ];
    const x = tf.tensor4d(comps.flatMap(pixelOf), [1, 2, 2, 3]);
    const s = whitenColour(x);
    Array.from(s.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(comps.flat()[i], 4));
    tf.dispose([x, s]);
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
      const viaWhite = rgb.analysis(tf.tidy(() => whitenColour(x)), null);
      Array.from(b.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(viaWhite.dataSync()[i], 4));
      expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeGreaterThan(1e-3);
      const yHat = tf.round(a) as tf.Tensor4D;
      const decoded = white.synthesis(yHat, null);
      const viaUnwhite = tf.tidy(() => centreColour(rgb.synthesis(yHat, null)));
      Array.from(decoded.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(viaUnwhite.dataSync()[i], 4));
      tf.dispose([a, b, viaWhite, yHat, decoded, viaUnwhite]);
      rgb.dispose();
      white.dispose();
    }
    expect(() => new FactorizedPrior({ space, conditioned: false, seed: 1, config: { ...TINY, colourTransform: 'yuv' as never } })).toThrow(/colourTransform must be 'rgb' or 'whitened', got "yuv"/);
    x.dispose();
  });
});
