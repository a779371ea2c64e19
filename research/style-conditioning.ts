/**
 * Why does a YOTO style model barely respond to its weights, and what makes it respond? Trains one
 * YOTO style model (core's trainer, as the experiment does; the experiment's default network, loss
 * and space) with one recipe change, then measures on held-out photos how far the output moves with
 * the content weight (0.1 → 1 at the balanced style weights), between the balanced and content-heavy
 * settings and between the shallowest and deepest single style layer (mean |pixel difference| in
 * grey levels), the content term at both ends of the content sweep, and the held-out weighted loss
 * Σ λ·term at every named setting (what the experiment compares with its baselines). Compare a variant with the
 * control (no flag) at the same --steps and --size; the figures are losses and pixels (seed 1), so
 * the machine's load does not change them.
 *
 *   YOTO_DATA=… pnpm exec tsx research/style-conditioning.ts [--steps 600] [--size 32] [--images 8]
 *     [--conditioning-lr-scale 1] [--encoding linearRange|linear] [--conditioning-linear]
 *     [--conditioning-init zeros|reference|heHidden] [--conditioning-per-head] [--conditioning-slope 0.01]
 *     [--content-sampling uniform|logUniform]
 *     [--style-scale 1] [--seed 1]
 *     [--out <checkpoint>] [--backend b]
 *
 * --conditioning-lr-scale: the trainer's per-scope learning-rate factor for the conditioning MLP.
 * --encoding: the style space's encoding (tasks-style's `space.encoding`): 'linearRange' (the default
 *   since it was measured here) maps each weight onto [−1, 1] over the training box, 'linear' feeds
 *   the raw weights (all ≥ 0), as runs before it did.
 * --conditioning-linear: the conditioning also maps the condition linearly onto every CIN scale and
 *   shift (tasks-style's network option `conditioningLinear`).
 * --conditioning-init: how the conditioning MLP starts (tasks-style's network option
 *   `conditioningInit`): 'zeros' (zero heads, multiplier 1), 'reference' (google-research YOTO's
 *   variance-scaled hidden layer and heads, multiplier 0.1), 'heHidden' (the reference's hidden layer only).
 * --conditioning-per-head: one hidden layer per CIN scale and per shift (tasks-style's `conditioningShared:
 *   false`, the reference's MLP shape) instead of one shared by all.
 * --conditioning-slope: the leaky ReLU's negative slope (default 0.01; the reference's 0.2).
 * --content-sampling: 'uniform' (default) or 'logUniform' content weight (tasks-style's space option
 *   `contentSampling`; log-uniform is fed as centred log λ).
 * --seed: initial weights, data order and sampled weights (1 for every run in docs/style-recipe.md
 *   unless it says otherwise); a second seed tells a recipe's effect from the run-to-run spread.
 * --style-scale: the four style weights' box is [0, s] instead of [0, 1] (the named settings follow).
 */
import { ConsoleSink, evaluateAt, initBackend, train } from '@yoto/core';
import { parseFlagsOrExit } from '@yoto/flags';
import { STYLE_CONDITIONING_INITS, STYLE_CONTENT_SAMPLINGS, STYLE_ENCODINGS, STYLE_TERMS, type StyleModel, styleSettings, StyleTask, type StyleTaskOptions } from '@yoto/tasks-style';
import { greyLevels, outputsAt } from './style/measure.js';

const { flags: f } = parseFlagsOrExit(
  'style-conditioning',
  process.argv.slice(2),
  {
    steps: { type: 'integer', min: 1, default: 600 },
    size: { type: 'integer', min: 16, default: 32 },
    images: { type: 'integer', min: 1, default: 8 },
    'conditioning-lr-scale': { type: 'number', above: 0, default: 1 },
    encoding: { type: 'string', choices: STYLE_ENCODINGS, default: 'linearRange' },
    'conditioning-linear': { type: 'boolean' },
    'conditioning-init': { type: 'string', choices: STYLE_CONDITIONING_INITS, default: 'zeros' },
    'conditioning-per-head': { type: 'boolean' },
    'content-sampling': { type: 'string', choices: STYLE_CONTENT_SAMPLINGS, default: 'uniform' },
    'conditioning-slope': { type: 'number', min: 0, default: 0.01 },
    'style-scale': { type: 'number', above: 0, default: 1 },
    seed: { type: 'integer', default: 1 },
    out: { type: 'string' },
    backend: { type: 'string' },
  },
  'see the header of this file',
);
await initBackend(f.backend);
const space = {
  content: [0.1, 1] as [number, number],
  style: [0, f['style-scale']] as [number, number],
  oneHotShare: 0.25,
  encoding: f.encoding,
  ...(f['content-sampling'] !== 'uniform' ? { contentSampling: f['content-sampling'] } : {}),
};
// Network options only when set, so the control trains exactly as the runs before these flags did.
const network = {
  ...(f['conditioning-linear'] ? { conditioningLinear: true } : {}),
  ...(f['conditioning-init'] !== 'zeros' ? { conditioningInit: f['conditioning-init'] } : {}),
  ...(f['conditioning-per-head'] ? { conditioningShared: false } : {}),
  ...(f['conditioning-slope'] !== 0.01 ? { conditioningSlope: f['conditioning-slope'] } : {}),
};
const options: StyleTaskOptions = { imageSize: f.size, styleSize: 2 * f.size, space, ...(Object.keys(network).length ? { network } : {}) };
const task = new StyleTask(options);
const t0 = performance.now();
const log = (line: string): void => console.log(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${line}`);
const result = await train(
  task,
  {
    mode: 'yoto',
    steps: f.steps,
    batchSize: 4,
    seed: f.seed,
    optimizer: { lr: 1e-3 },
    schedule: { kind: 'cosine' },
    logEvery: 100,
    learningRateScales: { 'conditioning/': f['conditioning-lr-scale'] },
    taskOptions: options as Record<string, unknown>,
    ...(f.out ? { checkpoint: { dir: f.out, every: f.steps } } : {}),
  },
  { sink: new ConsoleSink(200, log) },
);
const model = result.model as StyleModel;
const photos = await task.heldOutImages(Math.min(f.images, task.heldOutSize));
const setting = Object.fromEntries(styleSettings(space).map((s) => [s.name, STYLE_TERMS.map((t) => s.lambda[t])]));
const at = (lambda: number[]) => outputsAt(model, photos, lambda);
const low = [0.1, ...setting.balanced.slice(1)];
const high = [1, ...setting.balanced.slice(1)];
const [mLow, mHigh] = [await evaluateAt(task, model, low, { limit: f.images }), await evaluateAt(task, model, high, { limit: f.images })];
const weighted: string[] = [];
for (const [name, lambda] of Object.entries(setting)) weighted.push(`${name} ${(await evaluateAt(task, model, lambda, { limit: f.images })).weighted_loss.toFixed(4)}`);
console.log(
  `${f.steps} steps at ${f.size}², conditioning lr ×${f['conditioning-lr-scale']}, ${f.encoding} encoding${f['conditioning-linear'] ? ', linear path' : ''}, ` +
    `${f['content-sampling']} content, ${f['conditioning-init']} init${f['conditioning-per-head'] ? ', per-head MLPs' : ''}, slope ${f['conditioning-slope']}, style box [0, ${f['style-scale']}], seed ${f.seed}: ` +
    `Δ content 0.1→1 ${greyLevels(at(low), at(high)).toFixed(2)} grey levels; ` +
    `Δ balanced–content-heavy ${greyLevels(at(setting.balanced), at(setting['content-heavy'])).toFixed(2)}; ` +
    `Δ style1-only–style4-only ${greyLevels(at(setting['style1-only']), at(setting['style4-only'])).toFixed(2)}; ` +
    `content term ${mLow.content.toFixed(3)} → ${mHigh.content.toFixed(3)}; style terms ${STYLE_TERMS.slice(1).map((t) => `${mLow[t].toFixed(3)}→${mHigh[t].toFixed(3)}`).join(' ')}; ` +
    `held-out weighted loss ${weighted.join(', ')}; ${((performance.now() - t0) / 1000).toFixed(0)} s`,
);
photos.dispose();
