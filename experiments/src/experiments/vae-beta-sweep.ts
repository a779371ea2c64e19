import { UsageError } from '../errors.js';
import { requireNonNegativeInt, requirePositiveInt } from '../config/checks.js';
import { sweepRuns, type TrainSettings } from './plan-helpers.js';
import type { ExperimentDefinition, ExperimentPlan } from './types.js';
import { fmt } from './format.js';
import { evaluationLogGrid } from './log-grid.js';

/**
 * One YOTO β-VAE (β ~ LogUniform[1/8, 64], FiLM on log β) against fixed-β baselines with the same
 * backbone, data order, optimizer and batch. Budgets are steps; the compute share is the YOTO
 * model's steps over the baselines' total (`pnpm exp list` prints both).
 */
export interface VaeSweepConfig {
  seed: number;
  data: {
    /** Training images used (first n of MNIST's 60,000; 0 = all). */
    trainLimit: number;
    /** Test images every model is evaluated on (first n of 10,000; 0 = all). */
    testLimit: number;
  };
  model: {
    latent: number;
    /** Channels of the two conv blocks (benchmark: 32, 64). */
    channels: number[];
    /** Hidden units of the conditioning MLP. */
    conditioningHidden: number;
    /** m in FiLM scale = 1 + m·a(log β), shift = m·b(log β). */
    filmMultiplier: number;
    /** FiLM the encoder's posterior head and the decoder's first dense layer too, not only conv blocks. */
    filmDense: boolean;
  };
  beta: { low: number; high: number };
  train: TrainSettings;
  yoto: { steps: number };
  baselines: { betas: number[]; steps: number };
  evaluation: { points: number; batchSize: number };
  pictures: { images: number; samples: number; columns: number };
}

const config: VaeSweepConfig = {
  seed: 1,
  data: { trainLimit: 0, testLimit: 0 },
  model: { latent: 16, channels: [32, 64], conditioningHidden: 64, filmMultiplier: 0.5, filmDense: true },
  beta: { low: 0.125, high: 64 },
  train: { batchSize: 64, learningRate: 0.001, schedule: 'cosine', checkpointEvery: 500, logEvery: 10 },
  yoto: { steps: 6000 },
  baselines: { betas: [0.125, 0.5, 2, 8, 32], steps: 3000 },
  // 10 points from 1/8 to 64 are exactly the powers of two, so every baseline β is a grid point.
  evaluation: { points: 10, batchSize: 500 },
  pictures: { images: 8, samples: 8, columns: 10 },
};

export const vaeBetaSweep: ExperimentDefinition<VaeSweepConfig> = {
  name: 'vae-beta-sweep',
  description: 'one YOTO β-VAE on MNIST vs fixed-β baselines over β ∈ [1/8, 64]',
  config,
  keyTypes: { 'model.filmMultiplier': 'number', 'beta.low': 'number', 'beta.high': 'number', 'train.learningRate': 'number', 'baselines.betas': 'number[]' },
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
  validate(c) {
    requirePositiveInt(c.yoto.steps, 'yoto.steps');
    requirePositiveInt(c.baselines.steps, 'baselines.steps');
    requirePositiveInt(c.train.batchSize, 'train.batchSize');
    requirePositiveInt(c.train.checkpointEvery, 'train.checkpointEvery');
    requirePositiveInt(c.train.logEvery, 'train.logEvery');
    requirePositiveInt(c.model.latent, 'model.latent');
    requirePositiveInt(c.model.conditioningHidden, 'model.conditioningHidden');
    requirePositiveInt(c.evaluation.batchSize, 'evaluation.batchSize');
    requireNonNegativeInt(c.data.trainLimit, 'data.trainLimit', 'all');
    requireNonNegativeInt(c.data.testLimit, 'data.testLimit', 'all');
    if (c.model.channels.length !== 2) throw new UsageError(`model.channels must list 2 channel counts, got ${c.model.channels.join(',')}`);
    c.model.channels.forEach((w, i) => requirePositiveInt(w, `model.channels[${i}]`));
    if (!Number.isInteger(c.evaluation.points) || c.evaluation.points < 2)
      throw new UsageError(`evaluation.points must be an integer ≥ 2, got ${c.evaluation.points}`);
    if (!(c.beta.low > 0 && c.beta.low < c.beta.high))
      throw new UsageError(`beta.low and beta.high need 0 < low < high, got ${c.beta.low} and ${c.beta.high}`);
    if (!(c.model.filmMultiplier > 0)) throw new UsageError(`model.filmMultiplier must be > 0, got ${c.model.filmMultiplier}`);
    if (c.train.schedule !== 'cosine' && c.train.schedule !== 'constant')
      throw new UsageError(`train.schedule must be 'cosine' or 'constant', got '${c.train.schedule}'`);
    if (!(c.train.learningRate > 0)) throw new UsageError(`train.learningRate must be > 0, got ${c.train.learningRate}`);
    if (c.baselines.betas.length === 0) throw new UsageError('baselines.betas must list at least one β');
    for (const b of c.baselines.betas)
      if (!(b >= c.beta.low && b <= c.beta.high))
        // The YOTO model never trains outside its range; a baseline there would be an unfair comparison.
        throw new UsageError(`baselines.betas: β=${b} lies outside the YOTO range [${c.beta.low}, ${c.beta.high}]`);
    if (new Set(c.baselines.betas).size !== c.baselines.betas.length)
      throw new UsageError(`baselines.betas lists a β twice: ${c.baselines.betas.join(',')}`);
  },
  plan(c): ExperimentPlan {
    const runs = sweepRuns(
      c,
      `yoto β∈[${fmt(c.beta.low)},${fmt(c.beta.high)}]`,
      c.baselines.betas.map((b) => ({ key: `baseline-beta=${fmt(b)}`, label: `β=${fmt(b)}`, lambda: { reconstruction: 1, kl: b } })),
    );
    const grid = evaluationLogGrid(c.beta.low, c.beta.high, c.evaluation.points).map((b) => ({ reconstruction: 1, kl: b }));
    return {
      task: {
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
      },
      space: {
        terms: ['reconstruction', 'kl'],
        // No `grid` here: the space is part of every run's identity, the grid is not (see plan.grid).
        distribution: { kind: 'logUniform', term: 'kl', low: c.beta.low, high: c.beta.high },
      },
      runs,
      grid,
      evaluation: { limit: c.data.testLimit, batchSize: c.evaluation.batchSize },
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
      pictures: { ...c.pictures },
    };
  },
  async pictures(ctx) {
    // Lazy: the definition is also loaded by the CLI process, which should not load tfjs.
    const { vaePictures } = await import('./vae-pictures.js');
    return vaePictures(ctx);
  },
};
