import { z } from 'zod';
import { baselineSteps, checkInside, checkRange, count, flag, limit, numbers, points, positive, rangeSection, section, seedKey, trainSection, widths, yotoSection } from '../config/keys.js';
import type { SweptBaselines } from './baseline-plan.js';
import { defineSweep } from './define-sweep.js';
import { fmt } from './format.js';
import { evaluationLogGrid } from './log-grid.js';

/*
 * One YOTO β-VAE (β ~ LogUniform[1/8, 64], FiLM on log β) against fixed-β baselines with the same
 * backbone, data order, optimizer and batch. Budgets are steps; the compute share is the YOTO
 * model's steps over the baselines' total (`pnpm exp list` prints both).
 */

const config = z
  .strictObject({
    seed: seedKey(1),
    data: section({
      trainLimit: limit(0, "training images (first n of MNIST's 60,000)"),
      testLimit: limit(0, 'test images every model is evaluated on (first n of 10,000)'),
    }),
    model: section({
      latent: count(16, 'latent dimensions'),
      channels: widths(2, [32, 64], 'channels of the two conv blocks (benchmark: 32, 64)'),
      conditioningHidden: count(64, 'hidden units of the conditioning MLP'),
      filmMultiplier: positive(0.5, 'm in FiLM scale = 1 + m·a(log β), shift = m·b(log β)'),
      filmDense: flag(true, "FiLM the encoder's posterior head and the decoder's first dense layer too, not only conv blocks"),
    }),
    beta: rangeSection('β', 0.125, 64),
    train: trainSection({ batchSize: 64, learningRate: 0.001, schedule: 'cosine', checkpointEvery: 500, logEvery: 10 }),
    yoto: yotoSection(12000),
    baselines: section({
      betas: numbers([0.125, 0.5, 2, 8, 32], 'β of the fixed-β baselines, inside [beta.low, beta.high]'),
      steps: baselineSteps(6000),
    }),
    evaluation: section({
      // 10 points from 1/8 to 64 are exactly the powers of two, so every baseline β is a grid point.
      points: points(10, 'log-spaced β over [beta.low, beta.high] at which the YOTO model is evaluated'),
      batchSize: count(500, 'test images per evaluation batch'),
    }),
    pictures: section({
      images: count(8, 'test images reconstructed in the report'),
      samples: count(8, 'samples drawn from the prior per β'),
      columns: count(10, 'β columns of the picture grids'),
    }),
  })
  .superRefine((c, ctx) => {
    checkRange(ctx, 'beta', c.beta);
    checkInside(ctx, 'baselines.betas', c.baselines.betas, c.beta, 'β');
  });

export type VaeSweepConfig = z.infer<typeof config>;

/** Fixed-β baselines: the KL weight β, reconstruction weight 1. */
const betaBaselines: SweptBaselines<VaeSweepConfig> = { key: 'beta', symbol: 'β', values: (c) => c.baselines.betas, lambda: (b) => ({ reconstruction: 1, kl: b }) };

export const vaeBetaSweep = defineSweep<VaeSweepConfig>({
  name: 'vae-beta-sweep',
  description: 'one YOTO β-VAE on MNIST vs fixed-β baselines over β ∈ [1/8, 64]',
  config,
  profiles: {
    smoke: {
      description: 'tiny end-to-end check (tests): small VAE, MNIST subset, a few hundred steps',
      overrides: {
        data: { trainLimit: 2048, testLimit: 256 },
        model: { latent: 4, channels: [8, 16], conditioningHidden: 16 },
        train: { batchSize: 32, checkpointEvery: 50, logEvery: 5 },
        yoto: { steps: 160 },
        baselines: { betas: [0.5, 8], steps: 100 },
        evaluation: { points: 10, batchSize: 256 },
        pictures: { images: 4, samples: 4, columns: 5 },
      },
    },
    default: { description: 'the real comparison on a 2-core CPU (≤ 30 min)', overrides: {} },
    full: {
      description: 'paper-scale budgets, for a GPU (tfjs-node-gpu)',
      overrides: {
        model: { latent: 32, channels: [32, 64], conditioningHidden: 64 },
        train: { batchSize: 128, checkpointEvery: 2000, logEvery: 50 },
        yoto: { steps: 100_000 },
        baselines: { betas: [0.125, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64], steps: 50_000 },
        evaluation: { points: 19, batchSize: 1000 },
        pictures: { images: 10, samples: 10, columns: 10 },
      },
    },
  },
  task: (c) => ({
    name: 'vae-mnist',
    package: '@yoto/tasks-vae',
    options: {
      latent: c.model.latent,
      channels: c.model.channels,
      conditioningHidden: c.model.conditioningHidden,
      filmMultiplier: c.model.filmMultiplier,
      // Only when set: task options are part of every run's identity, so runs made before the
      // option existed keep their names.
      ...(c.model.filmDense ? { filmDense: true } : {}),
      trainLimit: c.data.trainLimit,
      testLimit: c.data.testLimit,
    },
  }),
  space: (c) => ({ terms: ['reconstruction', 'kl'], distribution: { kind: 'logUniform', term: 'kl', low: c.beta.low, high: c.beta.high } }),
  yotoLabel: (c) => `yoto β∈[${fmt(c.beta.low)},${fmt(c.beta.high)}]`,
  baselines: betaBaselines,
  grid: (c) => evaluationLogGrid(c.beta.low, c.beta.high, c.evaluation.points).map((b) => betaBaselines.lambda(b)),
  evaluation: (c) => ({ limit: c.data.testLimit, batchSize: c.evaluation.batchSize }),
  report: {
    lambdaTerm: 'kl',
    lambdaTitle: 'β',
    metricTitles: {
      reconstruction: 'reconstruction (nats)',
      kl: 'KL (nats)',
      weighted_loss: 'β-weighted loss rec + β·KL (nats)',
      neg_elbo: 'negative ELBO (nats)',
    },
    curves: ['loss', 'reconstruction', 'kl'],
    x: 'kl',
    y: 'reconstruction',
    metrics: ['weighted_loss', 'reconstruction', 'kl', 'neg_elbo'],
    gapMetric: 'weighted_loss',
    gapTarget: 0.03,
  },
  pictures: {
    options: (c) => ({ ...c.pictures }),
    draw: async () => (await import('./vae-pictures.js')).vaePictures,
  },
});
