// The subpaths hold no tfjs: the CLI process plans without loading it.
import { STYLE_CONTENT_SAMPLINGS, STYLE_ENCODINGS, STYLE_TERMS, evenWeights, roundWeight, styleSettings, styleSpaceSpec, type StyleSpaceOptions } from '@yoto/tasks-style/space';
import { LOSS_NETWORKS } from '@yoto/tasks-style/presets';
import { DEFAULT_CONDITIONING_SLOPE, STYLE_CONDITIONING_INITS } from '@yoto/tasks-style/network-config';
import { z } from 'zod';
import { baselineSteps, choice, choices, count, flag, limit, nonNegative, points, positive, section, seedKey, text, trainSection, widths, yotoSection } from '../config/keys.js';
import { defineSweep } from './define-sweep.js';

/*
 * Adjustable real-time style transfer (Babaeizadeh & Ghiasi, ICLR 2020) for one painting: one
 * transformer network whose instance norms are conditioned on the five loss coefficients (content +
 * four style layers), against fixed-coefficient baselines at named settings with the same backbone,
 * data order and budget semantics. Content photos: the data root's style/content_coco, every 10th
 * held out for evaluation.
 */

export const STYLE_SETTING_NAMES = ['balanced', 'content-heavy', 'style-heavy', 'style1-only', 'style2-only', 'style3-only', 'style4-only'] as const;

/** A coefficient bound: a number ≥ 0. */
const weight = (value: number, description: string) => z.number().min(0).default(value).meta({ description });

const config = z
  .strictObject({
    seed: seedKey(1),
    style: z
      .string()
      .regex(/^[^/\\]+\.(jpe?g|png)$/i, { message: 'must be an image file name in style/styles of the data root (e.g. 03_hokusai_great_wave.jpg)' })
      .default('01_vangogh_starry_night.jpg')
      .meta({ description: 'the painting: a file in style/styles of the data root' }),
    data: section({
      imageSize: z.int().min(16).multipleOf(4).default(64).meta({ description: 'side of the square training and evaluation photos (a multiple of 4)', unit: 'px' }),
      styleSize: count(128, 'longer side of the painting when its Gram matrices are taken', 'px'),
      trainLimit: limit(0, 'training photos used (of 196)'),
      evalImages: limit(0, 'held-out photos evaluated (of 22)'),
    }),
    model: section({
      widths: widths(3, [16, 32, 64], 'channels of the transformer network'),
      residualBlocks: nonNegative(3, 'residual blocks of the transformer network'),
      conditioningHidden: count(64, 'hidden units of the conditioning MLP'),
      conditioningLinear: flag(false, 'a linear path from the encoded weights straight to every instance-norm scale and shift, besides the MLP'),
      // 'heHidden' since the 2026-12-07 default run (README, "Measured: style-adjustable's default
      // profile"): against 'zeros' on the full profile the style-heavy gap fell from +44.3% to +13.2%
      // and the outputs at the three named settings moved 2.2–3.3× further apart (docs/style-recipe.md).
      conditioningInit: choice(
        STYLE_CONDITIONING_INITS,
        'heHidden',
        "how the conditioning MLP starts: 'zeros' (zero heads, multiplier 1), 'reference' (google-research YOTO: variance-scaled hidden layer and heads, multiplier 0.1), 'heHidden' (the reference's hidden layer only)",
      ),
      conditioningShared: flag(true, "one hidden layer of the conditioning MLP shared by every instance-norm scale and shift (false: one per scale and per shift, as google-research YOTO's)"),
      conditioningSlope: z.number().min(0).max(0.99).default(DEFAULT_CONDITIONING_SLOPE).meta({ description: "negative slope of the conditioning MLP's leaky ReLU (google-research YOTO: 0.2)" }),
    }),
    // The conditioning MLP's own learning rate (a factor on train.learningRate; the YOTO run only).
    conditioning: section({ learningRateScale: positive(1, "factor on the learning rate of the YOTO model's conditioning MLP") }),
    // The loss network and the softmax transformation of the style features.
    loss: section({
      network: choice(['mobilenet', 'darknet'], 'mobilenet', 'loss network (weights in the data root); loss.path overrides it'),
      // Any other chain network (e.g. a VGG-16/19 converted to tfjs layers format) by path and layer names.
      path: text('', 'a TensorFlow.js layers model folder (absolute, or relative to the data root) used instead of loss.network, e.g. a VGG-19; needs loss.content and loss.style'),
      input: choice(['caffe', 'symmetric', 'unit'], 'caffe', "input scaling of loss.path's network: 'caffe' (Keras VGG: BGR minus the ImageNet mean), 'symmetric' ([−1, 1]), 'unit' ([0, 1])"),
      content: text('', "content layer of loss.path's network (e.g. block4_conv2)"),
      style: z.array(z.string().min(1)).default([]).meta({ description: "four style layers of loss.path's network, shallow to deep (e.g. block1_conv1,block2_conv1,block3_conv1,block4_conv1)" }),
      softmax: flag(true, 'softmax transformation of the style features'),
      temperature: positive(1, 'softmax temperature'),
    }),
    // The coefficient box and the share of one-hot style vectors.
    space: section({
      contentLow: weight(0.1, 'lowest content weight'),
      contentHigh: weight(1, 'highest content weight'),
      styleLow: weight(0, 'lowest weight of each style layer'),
      styleHigh: weight(1, 'highest weight of each style layer'),
      oneHotShare: z.number().min(0).max(1).default(0.25).meta({ description: 'share of sampled λ with one style layer on and the others off' }),
      encoding: choice(STYLE_ENCODINGS, 'linearRange', "how the weights reach the conditioning MLP: 'linearRange' maps each onto [−1, 1] over its range (centred), 'linear' feeds them raw (all ≥ 0)"),
      // 'logUniform' since the 2026-12-07 default run (README, "Measured: style-adjustable's default
      // profile"): against 'uniform' on the full profile every gap met the 5% target (style-heavy
      // −20.7%, was +13.2%) and the outputs at the named settings moved 1.3–1.4× further apart
      // (docs/style-recipe.md §11–12).
      contentSampling: choice(STYLE_CONTENT_SAMPLINGS, 'logUniform', "how the content weight is drawn: 'uniform' on its range, or 'logUniform' (google-research YOTO's sampling: half the draws below √(low·high), fed as centred log λ)"),
    }),
    train: trainSection({ batchSize: 4, learningRate: 0.001, schedule: 'cosine', checkpointEvery: 250, logEvery: 10 }),
    yoto: yotoSection(6000),
    baselines: section({
      settings: choices(STYLE_SETTING_NAMES, ['balanced', 'content-heavy', 'style-heavy'], 'named settings (tasks-style `styleSettings`) that get a baseline each'),
      steps: baselineSteps(3000),
    }),
    evaluation: section({
      contentPoints: points(5, "content weights at which the YOTO model is evaluated, at the style weights of each baseline's setting (and the balanced one), besides the named settings"),
      batchSize: count(8, 'photos per evaluation batch'),
    }),
    pictures: section({
      images: count(3, "held-out photos in the report's pictures"),
      lossChoiceSteps: nonNegative(150, 'pixel-optimisation steps of the loss-choice picture (raw vs softmax Grams; 0: none)'),
    }),
  })
  .superRefine((c, ctx) => {
    const l = c.loss;
    if (l.path) {
      if (!l.content) ctx.addIssue({ code: 'custom', path: ['loss', 'content'], message: 'must name the content layer of loss.path' });
      if (l.style.length !== 4) ctx.addIssue({ code: 'custom', path: ['loss', 'style'], message: 'must name four style layers of loss.path, shallow to deep' });
    } else if (l.content || l.style.length) ctx.addIssue({ code: 'custom', path: ['loss', l.content ? 'content' : 'style'], message: 'names layers of loss.path, which is not set (loss.network uses its own)' });
    const s = c.space;
    if (!(s.contentLow < s.contentHigh)) ctx.addIssue({ code: 'custom', path: ['space', 'contentLow'], message: `must be below space.contentHigh (${s.contentHigh})` });
    if (!(s.styleLow < s.styleHigh)) ctx.addIssue({ code: 'custom', path: ['space', 'styleLow'], message: `must be below space.styleHigh (${s.styleHigh})` });
  });

export type StyleAdjustableConfig = z.infer<typeof config>;

export const styleAdjustable = defineSweep<StyleAdjustableConfig>({
  name: 'style-adjustable',
  description: 'one style-transfer network conditioned on 5 loss weights (content + 4 style layers) vs fixed-weight baselines, one painting',
  config,
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
        pictures: { images: 2, lossChoiceSteps: 4 },
      },
    },
    // With 2 workers the critical path is 9,000 step-lengths (the YOTO run on one worker; two
    // baselines, then the third, on the other). Measured (README): 36 min wall with 2 workers on
    // wasm+dnnl on 2026-12-06, 31 min and 27 min on 2026-12-07, under a load average of 2–17 from other niced
    // work; about a quarter of the budget.
    default: { description: 'the real comparison on a 2-core CPU (measured: 27 min with 2 workers, 2026-12-07)', overrides: {} },
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
  datasets: ['style'],
  // The painting and the loss network's files (model.json, and each shard the layers need at its
  // manifest size) are checked here, without tfjs: a missing or truncated file is one line naming
  // it, before training (each worker would otherwise fail on it after loading).
  async preflight(c, env) {
    const { existsSync, readdirSync } = await import('node:fs');
    const { isAbsolute, join } = await import('node:path');
    const { requireDataset, resolveDataRoot } = await import('@yoto/core/data');
    const { checkLossNetworkFiles } = await import('@yoto/tasks-style/loss-network-files');
    const { DataError } = await import('../errors.js');
    const styles = join(requireDataset('style', resolveDataRoot(undefined, env)), 'styles');
    if (!existsSync(join(styles, c.style)))
      throw new DataError(`style=${c.style}: no such painting in ${styles}; it holds ${readdirSync(styles).sort().join(', ')}`);
    const spec = lossNetwork(c);
    const name = typeof spec === 'string' ? `'${spec}'` : `--set loss.path=${spec.path}`;
    const { path, content, style } = typeof spec === 'string' ? LOSS_NETWORKS[spec] : spec;
    const dir = isAbsolute(path) ? path : join(resolveDataRoot(undefined, env), path);
    const file = join(dir, 'model.json');
    if (!existsSync(file))
      throw new DataError(`loss network ${name}: ${file} not found; ${typeof spec === 'string' ? "it is in the 'weights' dataset of TensorFlow.js layers models (README, Data): `pnpm data fetch weights`" : 'loss.path must be a TensorFlow.js layers model folder'}`);
    try {
      checkLossNetworkFiles(dir, [content, ...style]);
    } catch (err) {
      throw new DataError(`loss network ${name}: ${(err as Error).message.replace(/^loss network:? ?/, '')}`);
    }
  },
  task: (c) => ({
    name: 'style-transfer',
    package: '@yoto/tasks-style',
    options: {
      style: c.style,
      imageSize: c.data.imageSize,
      styleSize: c.data.styleSize,
      trainLimit: c.data.trainLimit,
      lossNetwork: lossNetwork(c),
      softmax: c.loss.softmax,
      softmaxTemperature: c.loss.temperature,
      network: {
        widths: c.model.widths,
        residualBlocks: c.model.residualBlocks,
        conditioningHidden: c.model.conditioningHidden,
        conditioningLinear: c.model.conditioningLinear,
        // Only when not 'zeros' (and the MLP's shape only when set), so the runs trained before these
        // options keep their identity.
        ...(c.model.conditioningInit !== 'zeros' ? { conditioningInit: c.model.conditioningInit } : {}),
        ...(c.model.conditioningShared ? {} : { conditioningShared: false }),
        ...(c.model.conditioningSlope !== DEFAULT_CONDITIONING_SLOPE ? { conditioningSlope: c.model.conditioningSlope } : {}),
      },
      space: spaceOptions(c),
    },
  }),
  // The task's own space without its grid (the plan's grid adds the content sweep).
  space: (c) => (({ grid: _grid, ...spec }) => spec as unknown as Record<string, unknown>)(styleSpaceSpec(spaceOptions(c))),
  yotoLabel: () => 'yoto (5 weights)',
  // Only when set (a factor of 1 is no factor), so the runs trained before the key keep their identity.
  learningRateScales: (c, kind): Record<string, number> =>
    kind === 'yoto' && c.conditioning.learningRateScale !== 1 ? { 'conditioning/': c.conditioning.learningRateScale } : {},
  baselines: { names: (c) => c.baselines.settings, setting: (c, name) => namedSettings(c)[name] },
  // Every named setting, plus a content sweep at the style weights of each baseline's setting (and
  // the balanced one): the report draws one YOTO line per such setting, ordered by the content
  // weight alone, through the point where its baseline sits.
  grid: (c) => {
    const settings = namedSettings(c);
    const grid = [...Object.values(settings)];
    const families = [...new Set(['balanced', ...c.baselines.settings])].map((name) => settings[name]);
    for (const f of families)
      for (const p of contentSweep(c, f)) if (!grid.some((g) => STYLE_TERMS.every((t) => g[t] === p[t]))) grid.push(p);
    return grid;
  },
  evaluation: (c) => ({ limit: c.data.evalImages, batchSize: c.evaluation.batchSize }),
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
    options: (c) => {
      const sMid = styleMid(c);
      return {
        images: c.pictures.images,
        lossChoiceSteps: c.pictures.lossChoiceSteps,
        settings: Object.entries(namedSettings(c)).map(([name, lambda]) => ({ name, lambda })),
        content: contentSweep(c).map((p) => p.content),
        rows: [
          { name: 'all styles', styles: [sMid, sMid, sMid, sMid] },
          ...[0, 1, 2, 3].map((k) => ({ name: `style ${k + 1} only`, styles: [0, 1, 2, 3].map((j) => (j === k ? c.space.styleHigh : c.space.styleLow)) })),
        ],
      };
    },
    draw: async () => (await import('./style-pictures.js')).stylePictures,
  },
  extendReport: async () => (await import('./style/style-report.js')).styleReport,
});

/** A preset's name, or the network given by `loss.path` and its layer names (tasks-style's LossNetworkSpec). */
function lossNetwork(c: StyleAdjustableConfig): string | { path: string; input: 'caffe' | 'symmetric' | 'unit'; content: string; style: [string, string, string, string] } {
  const l = c.loss;
  return l.path ? { path: l.path, input: l.input, content: l.content, style: l.style as [string, string, string, string] } : l.network;
}

function spaceOptions(c: StyleAdjustableConfig): StyleSpaceOptions {
  return {
    content: [c.space.contentLow, c.space.contentHigh],
    style: [c.space.styleLow, c.space.styleHigh],
    oneHotShare: c.space.oneHotShare,
    encoding: c.space.encoding,
    // Only when set, so the runs trained before the key keep their identity.
    ...(c.space.contentSampling !== 'uniform' ? { contentSampling: c.space.contentSampling } : {}),
  };
}

/** The λ of every named setting (tasks-style's), by name. */
function namedSettings(c: StyleAdjustableConfig): Record<string, Record<string, number>> {
  return Object.fromEntries(styleSettings(spaceOptions(c)).map((s) => [s.name, { ...s.lambda } as Record<string, number>]));
}

function styleMid(c: StyleAdjustableConfig): number {
  return roundWeight((c.space.styleLow + c.space.styleHigh) / 2);
}

/** `contentPoints` content weights over the range; the style weights those of `at` (default: all at mid-range). */
function contentSweep(c: StyleAdjustableConfig, at?: Record<string, number>): Record<string, number>[] {
  const sMid = styleMid(c);
  const styles = at ? { style1: at.style1, style2: at.style2, style3: at.style3, style4: at.style4 } : { style1: sMid, style2: sMid, style3: sMid, style4: sMid };
  return evenWeights(c.space.contentLow, c.space.contentHigh, c.evaluation.contentPoints).map((content) => ({ content, ...styles }));
}
