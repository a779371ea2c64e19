import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { bernoulliNll, gaussianNll, klStandardNormal, reparameterize } from './losses.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('VAE loss terms', () => {
  it('KL matches the closed form ½Σ(μ² + σ² − 1 − log σ²) per example', () => {
    const mean = [[0, 0, 0], [1, -2, 0.5]];
    const logvar = [[0, 0, 0], [Math.log(4), Math.log(0.25), -1]];
    const kl = tf.tidy(() => klStandardNormal(tf.tensor2d(mean), tf.tensor2d(logvar)).arraySync());
    // Per dimension: 0.5·(μ² + σ² − 1 − log σ²).
    const expected1 = 0.5 * (1 + 4 - 1 - Math.log(4)) + 0.5 * (4 + 0.25 - 1 - Math.log(0.25)) + 0.5 * (0.25 + Math.exp(-1) - 1 + 1);
    expect(kl[0]).toBeCloseTo(0, 6);
    expect(kl[1]).toBeCloseTo(expected1, 5);
  });

  it('Bernoulli NLL equals the summed binary cross-entropy of sigmoid(logits), also for gray targets', () => {
    const logits = [-30, -2, -0.1, 0, 0.7, 3, 25, 1.5];
    const x = [0, 1, 0.3, 1, 0, 1, 1, 0.5];
    const nll = tf.tidy(() => bernoulliNll(tf.tensor4d(logits, [2, 2, 2, 1]), tf.tensor4d(x, [2, 2, 2, 1])).arraySync());
    // log(sigmoid(l)) = −log1p(e^−l) and log(1 − sigmoid(l)) = −log1p(e^l): exact even for |l| = 30.
    const bce = (l: number, t: number): number => t * Math.log1p(Math.exp(-l)) + (1 - t) * Math.log1p(Math.exp(l));
    for (let b = 0; b < 2; b++) {
      let manual = 0;
      for (let i = 4 * b; i < 4 * b + 4; i++) manual += bce(logits[i], x[i]);
      expect(nll[b]).toBeCloseTo(manual, 4);
    }
  });

  it('Gaussian NLL equals Σ ½((x−μ)²/σ² + log 2πσ²)', () => {
    const mean = [0.1, 0.5, 0.9, 0.2, 0, 1];
    const x = [0, 0.5, 1, 0.4, 0.3, 0.6];
    const sigma = 0.2;
    const nll = tf.tidy(() => gaussianNll(tf.tensor4d(mean, [2, 1, 3, 1]), tf.tensor4d(x, [2, 1, 3, 1]), sigma).arraySync());
    for (let b = 0; b < 2; b++) {
      let manual = 0;
      for (let i = 3 * b; i < 3 * b + 3; i++) manual += 0.5 * ((x[i] - mean[i]) ** 2 / sigma ** 2 + Math.log(2 * Math.PI * sigma ** 2));
      expect(nll[b]).toBeCloseTo(manual, 4);
    }
  });

  it('reparameterises as μ + e^(logvar/2)·ε', () => {
    const z = tf.tidy(() => reparameterize(tf.tensor2d([[1, -1]]), tf.tensor2d([[Math.log(4), 0]]), tf.tensor2d([[0.5, -2]])).arraySync());
    expect(z[0][0]).toBeCloseTo(1 + 2 * 0.5, 6);
    expect(z[0][1]).toBeCloseTo(-1 - 2, 6);
  });
});
