// The subpaths hold no tfjs: the CLI process plans without loading it.
import { STYLE_TERMS, styleSettings, styleSpaceSpec, type StyleSpaceOptions } from '@yoto/tasks-style/space';
import { LOSS_NETWORKS } from '@yoto/tasks-style/presets';
import { UsageError } from '../errors.js';
import { requireNonNegativeInt, requirePositiveInt } from '../config/checks.js';
import { sweepRuns, type TrainSettings } from './plan-helpers.js';
import type { ExperimentDefinition, ExperimentPlan } from './types.js';
import { verifyDatasets } from './verify-datasets.js';

/**
 * Adjustable real-time style transfer (Babaeizadeh & Ghiasi, ICLR 2020) for one painting: one
 * transformer network whose instance norms are conditioned on the five loss coefficients (content +
 * four style layers), against fixed-coefficient baselines at named settings with the same backbone,
 * data order and budget semantics. Content photos: the data root's style/content_coco, every 10th
 * held out for evaluation.
 */
export interface StyleAdjustableConfig {
  seed: number;
  /** The painting: a file in style/styles of the data root (`--set style=03_hokusai_great_wave.jpg`). */
  style: string;
  data: {
    /** Side of the square training and evaluation photos (a multiple of 4). */
    imageSize: number;
    /** Longer side of the painting when its Gram matrices are taken. */
    styleSize: number;
    /** Training photos used (0 = all 196). */
    trainLimit: number;
    /** Held-out photos evaluated (0 = all 22). */
    evalImages: number;
  };
  model: { widths: number[]; residualBlocks: number; conditioningHidden: number };
  /** Loss network ('mobilenet' or 'darknet') and the softmax transformation of the style features. */
  loss: { network: string; softmax: boolean; temperature: number };
  /** The coefficient box and the share of one-hot style vectors. */
  space: { contentLow: number; contentHigh: number; styleLow: number; styleHigh: number; oneHotShare: number };
  train: TrainSettings;
  yoto: { steps: number };
  /** Named settings (see tasks-style `styleSettings`) that get a baseline each. */
  baselines: { settings: string[]; steps: number };
  /** Besides the named settings, the YOTO model is evaluated at this many content weights (styles at mid-range). */
  evaluation: { contentPoints: number; batchSize: number };
  /** Held-out photos in the report's pictures. */
  pictures: { images: number };
}

export const STYLE_SETTING_NAMES = ['balanced', 'content-heavy', 'style-heavy', 'style1-only', 'style2-only', 'style3-only', 'style4-only'] as const;

const config: StyleAdjustableConfig = {
  seed: 1,
  style: '01_vangogh_starry_night.jpg',
  data: { imageSize: 64, styleSize: 128, trainLimit: 0, evalImages: 0 },
  model: { widths: [16, 32, 64], residualBlocks: 3, conditioningHidden: 64 },
  loss: { network: 'mobilenet', softmax: true, temperature: 1 },
  space: { contentLow: 0.1, contentHigh: 1, styleLow: 0, styleHigh: 1, oneHotShare: 0.25 },
  train: { batchSize: 4, learningRate: 0.001, schedule: 'cosine', checkpointEvery: 250, logEvery: 10 },
  yoto: { steps: 3000 },
  baselines: { settings: ['balanced', 'content-heavy', 'style-heavy'], steps: 1500 },
  evaluation: { contentPoints: 5, batchSize: 8 },
  pictures: { images: 3 },
};

export const styleAdjustable: ExperimentDefinition<StyleAdjustableConfig> = {
  name: 'style-adjustable',
  description: 'one style-transfer network conditioned on 5 loss weights (content + 4 style layers) vs fixed-weight baselines, one painting',
  config,
  keyTypes: { 'train.learningRate': 'number', 'loss.temperature': 'number', 'space.contentLow': 'number', 'space.contentHigh': 'number', 'space.styleLow': 'number', 'space.styleHigh': 'number', 'space.oneHotShare': 'number', 'baselines.settings': 'string[]', 'model.widths': 'number[]' },
  profiles: {
    smoke: {
      description: 'tiny end-to-end check (tests): 32 px photos, a small network, tens of steps',
      overrides: {
        data: { imageSize: 32, styleSize: 64, trainLimit: 16, evalImages: 4 },
        model: { widths: [8, 12, 16], residualBlocks: 1, conditioningHidden: 16 },
        train: { batchSize: 2, checkpointEvery: 8, logEvery: 4 },
        yoto: { steps: 16 },
        baselines: { settings: ['balanced', 'style-heavy'], steps: 8 },
        evaluation: { contentPoints: 3, batchSize: 4 },
        pictures: { images: 2 },
      },
    },
    // 3,750 step-lengths per worker: ~1 h at the 0.9–1.0 CPU-s/step `pnpm bench style` measured, ~3.5 h at 3 s/step on a loaded machine.
    default: { description: 'the real comparison on a 2-core CPU (estimated 1 hour of training with 2 workers on a quiet machine; not yet run)', overrides: {} },
    full: {
      description: 'paper scale (Johnson widths, 256 px, every named setting), for a GPU (tfjs-node-gpu)',
      overrides: {
        data: { imageSize: 256, styleSize: 512 },
        model: { widths: [32, 64, 128], residualBlocks: 5, conditioningHidden: 128 },
        train: { batchSize: 8, checkpointEvery: 2000, logEvery: 100 },
        yoto: { steps: 200_000 },
        baselines: { settings: [...STYLE_SETTING_NAMES], steps: 40_000 },
        evaluation: { contentPoints: 9, batchSize: 8 },
      },
    },
  },
  validate(c) {
    for (const [v, key] of [
      [c.yoto.steps, 'yoto.steps'],
      [c.baselines.steps, 'baselines.steps'],
      [c.train.batchSize, 'train.batchSize'],
      [c.train.checkpointEvery, 'train.checkpointEvery'],
      [c.train.logEvery, 'train.logEvery'],
      [c.model.conditioningHidden, 'model.conditioningHidden'],
      [c.evaluation.batchSize, 'evaluation.batchSize'],
      [c.data.styleSize, 'data.styleSize'],
    ] as const)
      requirePositiveInt(v, key);
    requireNonNegativeInt(c.data.trainLimit, 'data.trainLimit', 'all');
    requireNonNegativeInt(c.data.evalImages, 'data.evalImages', 'all');
    requireNonNegativeInt(c.model.residualBlocks, 'model.residualBlocks');
    requirePositiveInt(c.pictures.images, 'pictures.images');
    if (!/^[^/\\]+\.(jpe?g|png)$/i.test(c.style)) throw new UsageError(`style must be an image file name in style/styles of the data root (e.g. 03_hokusai_great_wave.jpg), got '${c.style}'`);
    if (!Number.isInteger(c.data.imageSize) || c.data.imageSize < 16 || c.data.imageSize % 4 !== 0)
      throw new UsageError(`data.imageSize must be a multiple of 4, at least 16, got ${c.data.imageSize}`);
    if (c.model.widths.length !== 3) throw new UsageError(`model.widths must list 3 channel counts, got ${c.model.widths.join(',')}`);
    c.model.widths.forEach((w, i) => requirePositiveInt(w, `model.widths[${i}]`));
    if (c.loss.network !== 'mobilenet' && c.loss.network !== 'darknet') throw new UsageError(`loss.network must be 'mobilenet' or 'darknet', got '${c.loss.network}'`);
    if (!(c.loss.temperature > 0)) throw new UsageError(`loss.temperature must be > 0, got ${c.loss.temperature}`);
    const s = c.space;
    if (!(s.contentLow >= 0 && s.contentLow < s.contentHigh)) throw new UsageError(`space.contentLow and space.contentHigh need 0 ≤ low < high, got ${s.contentLow} and ${s.contentHigh}`);
    if (!(s.styleLow >= 0 && s.styleLow < s.styleHigh)) throw new UsageError(`space.styleLow and space.styleHigh need 0 ≤ low < high, got ${s.styleLow} and ${s.styleHigh}`);
    if (!(s.oneHotShare >= 0 && s.oneHotShare <= 1)) throw new UsageError(`space.oneHotShare must be in [0, 1], got ${s.oneHotShare}`);
    if (c.train.schedule !== 'cosine' && c.train.schedule !== 'constant') throw new UsageError(`train.schedule must be 'cosine' or 'constant', got '${c.train.schedule}'`);
    if (!(c.train.learningRate > 0)) throw new UsageError(`train.learningRate must be > 0, got ${c.train.learningRate}`);
    if (c.baselines.settings.length === 0) throw new UsageError('baselines.settings must name at least one setting');
    for (const name of c.baselines.settings)
      if (!(STYLE_SETTING_NAMES as readonly string[]).includes(name)) throw new UsageError(`baselines.settings: unknown setting '${name}'; settings: ${STYLE_SETTING_NAMES.join(', ')}`);
    if (new Set(c.baselines.settings).size !== c.baselines.settings.length) throw new UsageError(`baselines.settings names a setting twice: ${c.baselines.settings.join(',')}`);
    if (!Number.isInteger(c.evaluation.contentPoints) || c.evaluation.contentPoints < 2) throw new UsageError(`evaluation.contentPoints must be an integer ≥ 2, got ${c.evaluation.contentPoints}`);
  },
  async preflight(c, env) {
    await verifyDatasets(['style'], env);
    const { existsSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { resolveDataRoot } = await import('@yoto/core');
    const file = join(resolveDataRoot(undefined, env), LOSS_NETWORKS[c.loss.network].path, 'model.json');
    if (!existsSync(file)) {
      const { DataError } = await import('../errors.js');
      throw new DataError(`loss network '${c.loss.network}': ${file} not found; the data root's weights/ folder holds it (see the shared data PROVENANCE.md)`);
    }
  },
  plan(c): ExperimentPlan {
    const settings = Object.fromEntries(styleSettings(spaceOptions(c)).map((s) => [s.name, { ...s.lambda } as Record<string, number>]));
    const runs = sweepRuns(
      c,
      'yoto (5 weights)',
      c.baselines.settings.map((name) => ({ key: `baseline-${name}`, label: name, lambda: settings[name] })),
    );
    const sMid = round((c.space.styleLow + c.space.styleHigh) / 2);
    const sweep = Array.from({ length: c.evaluation.contentPoints }, (_, k) => {
      const content = round(c.space.contentLow + ((c.space.contentHigh - c.space.contentLow) * k) / (c.evaluation.contentPoints - 1));
      return { content, style1: sMid, style2: sMid, style3: sMid, style4: sMid };
    });
    const grid = [...Object.values(settings)];
    for (const p of sweep) if (!grid.some((g) => STYLE_TERMS.every((t) => g[t] === p[t]))) grid.push(p);
    return {
      task: {
        name: 'style-transfer',
        package: '@yoto/tasks-style',
        options: {
          style: c.style,
          imageSize: c.data.imageSize,
          styleSize: c.data.styleSize,
          trainLimit: c.data.trainLimit,
          lossNetwork: c.loss.network,
          softmax: c.loss.softmax,
          softmaxTemperature: c.loss.temperature,
          network: { widths: c.model.widths, residualBlocks: c.model.residualBlocks, conditioningHidden: c.model.conditioningHidden },
          space: spaceOptions(c),
        },
      },
      // The task's own space without its grid (the plan's grid adds the content sweep).
      space: (({ grid: _grid, ...spec }) => spec as unknown as Record<string, unknown>)(styleSpaceSpec(spaceOptions(c))),
      runs,
      grid,
      evaluation: { limit: c.data.evalImages, batchSize: c.evaluation.batchSize },
      report: {
        lambdaTerm: 'content',
        lambdaTitle: 'content weight',
        metricTitles: {
          weighted_loss: 'weighted loss Σ λ·term (normalised terms)',
          content: 'content term (normalised)',
          style: 'style terms, summed (normalised)',
          style1: 'style layer 1 (shallow)',
          style2: 'style layer 2',
          style3: 'style layer 3',
          style4: 'style layer 4 (deep)',
        },
        curves: ['loss', 'content', 'style1', 'style4'],
        x: 'style',
        y: 'content',
        metrics: ['weighted_loss', 'content', 'style', 'style1', 'style2', 'style3', 'style4'],
        gapMetric: 'weighted_loss',
        gapTarget: 0.05,
      },
      pictures: {
        images: c.pictures.images,
        content: sweep.map((p) => p.content),
        rows: [
          { name: 'all styles', styles: [sMid, sMid, sMid, sMid] },
          ...[0, 1, 2, 3].map((k) => ({ name: `style ${k + 1} only`, styles: [0, 1, 2, 3].map((j) => (j === k ? c.space.styleHigh : c.space.styleLow)) })),
        ],
      },
    };
  },
  async pictures(ctx) {
    // Lazy: the definition is also loaded by the CLI process, which should not load tfjs.
    const { stylePictures } = await import('./style-pictures.js');
    return stylePictures(ctx);
  },
};

function spaceOptions(c: StyleAdjustableConfig): StyleSpaceOptions {
  return { content: [c.space.contentLow, c.space.contentHigh], style: [c.space.styleLow, c.space.styleHigh], oneHotShare: c.space.oneHotShare };
}

function round(v: number): number {
  return Number(v.toPrecision(6));
}
