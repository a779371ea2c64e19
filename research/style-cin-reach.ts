/**
 * Why does a trained YOTO style model draw nearly the same picture at every setting? Inside the
 * model, at the named settings balanced / content-heavy / style-heavy (docs/style-recipe.md §9):
 *
 * 1. CIN parameters per layer: how far apart the scale and shift that the conditioning MLP predicts
 *    are between two settings (mean |Δ| per channel), against how far apart the fixed-weight
 *    baselines' own learned scale and shift are between the same settings (--baselines, in
 *    content-heavy, balanced, style-heavy order or any order: each is matched by its λ).
 * 2. Where the difference goes: the output at setting A with only layer L's norms taken from
 *    setting B (every other layer at A), mean |pixel difference| to A's output, per layer; and the
 *    same with layer L's B-norms rescaled jointly ×2 (scale and shift together: a common factor that
 *    the next layer's instance norm removes, except where no instance norm follows).
 * 3. Is the model at the optimum along its own direction? Each setting's predicted norms moved k×
 *    further from their mean over the three settings: the held-out weighted loss at that setting's
 *    own λ. If the loss falls for k > 1, the conditioning stopped short of where the loss wants it
 *    (training did not get there); if it rises, the model sits at an optimum of its own.
 * 3b. The loss's best picture depends on λ's direction only: the setting's held-out loss with the
 *    model conditioned on t·λ for every t that keeps t·λ in the training box. A setting at a corner of
 *    the box that the sampler rarely reaches does better under an interior t·λ if the corner is what
 *    the conditioning failed to learn.
 * 4. With --oracle-steps S: the model's convolutions frozen, the CIN parameters of every layer
 *    optimised directly for one setting's λ (Adam, the training photos, batch 4, from the MLP's
 *    prediction at that setting): how low that setting's held-out loss can go with the shared
 *    convolutions and free instance norms, against the MLP's and the baseline's. If free norms reach
 *    the baseline, the convolutions can draw every setting and the MLP is what falls short; if not,
 *    the shared convolutions are.
 *
 *   YOTO_DATA=… pnpm exec tsx research/style-cin-reach.ts --checkpoint <yoto>.yotockpt \
 *     [--baselines <a>.yotockpt,…] [--images 8] [--oracle-steps 0] [--oracle-lr 0.01]
 *     [--oracle-settings content-heavy,balanced,style-heavy] [--backend b]
 */
import * as tf from '@tensorflow/tfjs';
import { evaluateAt, type FilmParams, initBackend, loadTrained } from '@yoto/core';
import { parseFlagsOrExit } from '@yoto/flags';
import { registerStyleTasks, STYLE_TASK, STYLE_TERMS, type StyleModel, styleSettings, type StyleTask } from '@yoto/tasks-style';
import { greyLevels } from './style/measure.js';

const { flags: f } = parseFlagsOrExit(
  'style-cin-reach',
  process.argv.slice(2),
  {
    checkpoint: { type: 'string' },
    baselines: { type: 'string', default: '' },
    images: { type: 'integer', min: 1, default: 8 },
    'oracle-steps': { type: 'integer', min: 0, default: 0 },
    'oracle-lr': { type: 'number', above: 0, default: 0.01 },
    'oracle-settings': { type: 'string', default: 'content-heavy,balanced,style-heavy' },
    backend: { type: 'string' },
  },
  'see the header of this file',
);
if (!f.checkpoint) throw new Error('style-cin-reach: --checkpoint <file> is required (a YOTO style-transfer checkpoint)');
await initBackend(f.backend);
registerStyleTasks();
const t0 = performance.now();
const yoto = await loadTrained<StyleModel>(f.checkpoint, { task: STYLE_TASK });
if (!yoto.conditioned) throw new Error(`style-cin-reach: ${f.checkpoint} is a fixed-weight baseline; pass the YOTO checkpoint`);
const task = yoto.task as StyleTask;
await task.prepare();
const n = Math.min(f.images, task.heldOutSize);
const photos = await task.heldOutImages(n);
const eval_ = { limit: n };
const NAMES = ['content-heavy', 'balanced', 'style-heavy'] as const;
const all = styleSettings(task.options.space);
const lambdaOf = Object.fromEntries(NAMES.map((name) => [name, STYLE_TERMS.map((t) => all.find((s) => s.name === name)!.lambda[t])])) as Record<(typeof NAMES)[number], number[]>;
const PAIRS: [string, string][] = [['balanced', 'content-heavy'], ['balanced', 'style-heavy'], ['content-heavy', 'style-heavy']];
type Norms = Record<string, FilmParams>;

// The MLP's prediction at each setting, [1, C] per layer (kept for the whole script).
const predicted: Record<string, Norms> = Object.fromEntries(
  NAMES.map((name) => {
    const cond = yoto.model.space.condition(lambdaOf[name], 1);
    const norms = yoto.model.norms(cond)!;
    cond.dispose();
    return [name, norms];
  }),
);
const layers = Object.keys(predicted.balanced);
console.log(`${f.checkpoint}: step ${yoto.step}, ${n} held-out photos of ${task.imageSize}², layers ${layers.join(' ')}`);

// A model whose norms are given (the same for every example), the convolutions the YOTO model's.
const withNorms = (norms: Norms): StyleModel => ({ ...yoto.model, norms: () => norms });
const output = (norms: Norms): Float32Array => {
  const y = tf.tidy(() => yoto.model.stylize(photos, norms));
  const v = y.dataSync() as Float32Array;
  y.dispose();
  return v;
};
const weighted = async (norms: Norms, lambda: number[]): Promise<number> => (await evaluateAt(task, withNorms(norms), lambda, eval_)).weighted_loss;
const meanAbs = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.mean(tf.abs(tf.sub(a, b))).dataSync()[0]);

// 1. CIN parameters: YOTO's predicted Δ between settings against the baselines' own.
const baselines: Record<string, { model: StyleModel; norms: Norms }> = {};
for (const file of f.baselines.split(',').filter(Boolean)) {
  const b = await loadTrained<StyleModel>(file, { task: STYLE_TASK });
  if (b.conditioned || !b.lambda) throw new Error(`style-cin-reach: ${file} is not a fixed-weight baseline`);
  const name = NAMES.find((s) => lambdaOf[s].every((v, i) => Math.abs(v - b.lambda![i]) <= 1e-9));
  if (!name) throw new Error(`style-cin-reach: ${file} was trained at λ [${b.lambda.join(', ')}], none of ${NAMES.join(', ')}`);
  const vars = new Map(b.model.params.entries());
  baselines[name] = {
    model: b.model,
    norms: Object.fromEntries(layers.map((l) => [l, { scale: vars.get(`transformer/${l}/norm_scale`)! as tf.Tensor2D, shift: vars.get(`transformer/${l}/norm_shift`)! as tf.Tensor2D }])),
  };
}
const pairsWithBaselines = PAIRS.filter(([a, b]) => baselines[a] && baselines[b]);
console.log(`\n1. CIN parameters: mean |scale − 1| and |shift| at balanced, and mean |Δ| per channel between two settings (YOTO: predicted; base: the baselines' own)`);
console.log(pad(['layer', 'YOTO |s−1|', 'YOTO |b|', ...(baselines.balanced ? ['base |s−1|', 'base |b|'] : []), ...PAIRS.flatMap(([a, b]) => [`Δs ${short(a)}/${short(b)}`, `Δb ${short(a)}/${short(b)}`]), ...pairsWithBaselines.flatMap(([a, b]) => [`base Δs ${short(a)}/${short(b)}`, `base Δb ${short(a)}/${short(b)}`])]));
const ratios: number[] = [];
for (const l of layers) {
  const p = (s: string) => predicted[s][l];
  const q = (s: string) => baselines[s].norms[l];
  const one = (t: tf.Tensor) => tf.tidy(() => tf.mean(tf.abs(tf.sub(t, 1))).dataSync()[0]);
  const abs = (t: tf.Tensor) => tf.tidy(() => tf.mean(tf.abs(t)).dataSync()[0]);
  const yotoDelta = PAIRS.flatMap(([a, b]) => [meanAbs(p(a).scale, p(b).scale), meanAbs(p(a).shift, p(b).shift)]);
  const baseDelta = pairsWithBaselines.flatMap(([a, b]) => [meanAbs(q(a).scale, q(b).scale), meanAbs(q(a).shift, q(b).shift)]);
  pairsWithBaselines.forEach(([a, b], i) => {
    const k = PAIRS.findIndex(([x, y]) => x === a && y === b);
    ratios.push((baseDelta[2 * i] + baseDelta[2 * i + 1]) / (yotoDelta[2 * k] + yotoDelta[2 * k + 1]));
  });
  console.log(
    pad([l, fmt(one(p('balanced').scale)), fmt(abs(p('balanced').shift)), ...(baselines.balanced ? [fmt(one(q('balanced').scale)), fmt(abs(q('balanced').shift))] : []), ...yotoDelta.map(fmt), ...baseDelta.map(fmt)]),
  );
}
if (ratios.length) console.log(`baselines' Δ(scale + shift) / YOTO's, per layer and pair: median ${fmt(median(ratios))}, range ${fmt(Math.min(...ratios))}–${fmt(Math.max(...ratios))}`);

// 2. Where the difference goes: layer L alone switched from setting A to B.
console.log(`\n2. output moved (grey levels) by switching one layer's norms from A to B, the others at A; "×2": B's norms of that layer scaled ×2 (scale and shift together)`);
console.log(pad(['layer', ...PAIRS.flatMap(([a, b]) => [`${short(a)}→${short(b)}`, '×2'])]));
const base = Object.fromEntries(NAMES.map((s) => [s, output(predicted[s])]));
const swapped = (a: string, b: string, l: string, k: number): Norms => ({
  ...predicted[a],
  [l]: k === 1 ? predicted[b][l] : { scale: tf.mul(predicted[b][l].scale, k) as tf.Tensor2D, shift: tf.mul(predicted[b][l].shift, k) as tf.Tensor2D },
});
const sums = PAIRS.map(() => 0);
for (const l of layers) {
  const cells: string[] = [];
  PAIRS.forEach(([a, b], i) => {
    const one = greyLevels(output(swapped(a, b, l, 1)), base[a]);
    sums[i] += one;
    const twice = swapped(a, b, l, 2);
    cells.push(fmt(one), fmt(greyLevels(output(twice), base[a])));
    tf.dispose([twice[l].scale, twice[l].shift]);
  });
  console.log(pad([l, ...cells]));
}
console.log(pad(['sum of layers', ...sums.flatMap((s) => [fmt(s), ''])]));
console.log(pad(['all layers', ...PAIRS.flatMap(([a, b]) => [fmt(greyLevels(base[a], base[b])), ''])]));

// 3. The loss along the model's own direction: each setting's norms k× further from the mean.
console.log(`\n3. held-out weighted loss at each setting's own λ, its predicted norms' deviation from the mean over the three settings amplified k×`);
console.log(pad(['k', ...NAMES, ...pairsWithBaselines.map(([a, b]) => `Δ ${short(a)}/${short(b)}`)]));
const mean: Norms = Object.fromEntries(layers.map((l) => [l, { scale: tf.tidy(() => tf.mean(tf.concat(NAMES.map((s) => predicted[s][l].scale)), 0, true)), shift: tf.tidy(() => tf.mean(tf.concat(NAMES.map((s) => predicted[s][l].shift)), 0, true)) } as FilmParams]));
const amplified = (s: string, k: number): Norms =>
  Object.fromEntries(layers.map((l) => [l, { scale: tf.tidy(() => tf.add(mean[l].scale, tf.mul(tf.sub(predicted[s][l].scale, mean[l].scale), k))), shift: tf.tidy(() => tf.add(mean[l].shift, tf.mul(tf.sub(predicted[s][l].shift, mean[l].shift), k))) } as FilmParams]));
for (const k of [0, 1, 2, 3, 5, 10]) {
  const normsK = Object.fromEntries(NAMES.map((s) => [s, amplified(s, k)]));
  const losses: string[] = [];
  for (const s of NAMES) losses.push(fmt(await weighted(normsK[s], lambdaOf[s])));
  const outs = Object.fromEntries(NAMES.map((s) => [s, output(normsK[s])]));
  console.log(pad([String(k), ...losses, ...pairsWithBaselines.map(([a, b]) => fmt(greyLevels(outs[a], outs[b])))]));
  Object.values(normsK).forEach(disposeNorms);
}
if (Object.keys(baselines).length) {
  const cells: string[] = [];
  for (const s of NAMES) cells.push(baselines[s] ? fmt((await evaluateAt(task, baselines[s].model, lambdaOf[s], eval_)).weighted_loss) : '');
  const outs = Object.fromEntries(NAMES.filter((s) => baselines[s]).map((s) => [s, output0(baselines[s].model)]));
  console.log(pad(['baselines', ...cells, ...pairsWithBaselines.map(([a, b]) => fmt(greyLevels(outs[a], outs[b])))]));
}

// 3b. The loss asks only for λ's direction (t·λ has the same best picture for any t > 0), so every
// t·λ inside the training box is an equally right condition for the setting: the held-out loss
// weighted by the setting's own λ under the condition t·λ.
{
  const [cLo, cHi] = task.options.space?.content ?? [0.1, 1];
  const [, sHi] = task.options.space?.style ?? [0, 1];
  console.log(`\n3b. held-out weighted loss (the setting's own λ) with the model conditioned on t·λ, for t over the training box (t = 1: the setting itself)`);
  console.log(`${pad(['setting', 't', 'weighted loss', 'Δ to t = 1'])}  condition t·λ`);
  for (const s of NAMES) {
    const lam = lambdaOf[s];
    const tLo = cLo / lam[0];
    const tHi = Math.min(cHi / lam[0], ...lam.slice(1).map((v) => (v > 0 ? sHi / v : Infinity)));
    const at1 = output(predicted[s]);
    for (const t of [...new Set([tLo, (tLo + 1) / 2, 1, (1 + tHi) / 2, tHi].filter((t) => t >= tLo - 1e-9 && t <= tHi + 1e-9).map((t) => Number(t.toPrecision(4))))]) {
      const cond = lam.map((v) => v * t);
      const m = await evaluateAt(task, yoto.model, cond, eval_);
      const out = outputsAtLambda(cond);
      console.log(`${pad([t === 1 ? s : '', fmt(t), fmt(STYLE_TERMS.reduce((a, k, i) => a + lam[i] * m[k], 0)), fmt(greyLevels(out, at1))])}  ${cond.map((v) => v.toFixed(3)).join('/')}`);
    }
  }
}

// 4. Oracle: free CIN parameters on the frozen convolutions, per setting.
if (f['oracle-steps'] > 0) {
  console.log(`\n4. free CIN parameters on the YOTO model's frozen convolutions, ${f['oracle-steps']} Adam steps (lr ${f['oracle-lr']}, batch 4, training photos) per setting, from the MLP's prediction`);
  console.log(pad(['setting', 'MLP', 'free norms', 'baseline', 'Δ out MLP→free', 'mean |Δs|', 'mean |Δb|']));
  const free: Record<string, Norms> = {};
  const oracleSettings = NAMES.filter((s) => f['oracle-settings'].split(',').includes(s));
  for (const s of oracleSettings) {
    const vars: Norms = Object.fromEntries(layers.map((l) => [l, { scale: tf.variable(predicted[s][l].scale.clone()), shift: tf.variable(predicted[s][l].shift.clone()) } as FilmParams]));
    const list = Object.values(vars).flatMap((p) => [p.scale, p.shift]) as tf.Variable[];
    const opt = tf.train.adam(f['oracle-lr']);
    const lam = tf.tensor2d([lambdaOf[s]]);
    const model = withNorms(vars);
    for (let step = 0; step < f['oracle-steps']; step++) {
      const batch = task.trainBatch({ step, batchSize: 4, seed: 1 });
      const cost = opt.minimize(() => {
        const terms = task.lossTerms(model, batch, { training: true, lambda: lam, condition: null });
        return tf.mean(tf.sum(tf.mul(tf.stack(STYLE_TERMS.map((t) => terms[t]), 1), lam), 1)) as tf.Scalar;
      }, true, list);
      if (step % 100 === 0 || step === f['oracle-steps'] - 1) console.log(`   ${s} step ${step}: training loss ${cost!.dataSync()[0].toFixed(4)}`);
      tf.dispose([cost!, ...Object.values(batch.tensors)]);
    }
    opt.dispose();
    lam.dispose();
    free[s] = vars;
    const [mlp, oracle] = [await weighted(predicted[s], lambdaOf[s]), await weighted(vars, lambdaOf[s])];
    const bl = baselines[s] ? fmt((await evaluateAt(task, baselines[s].model, lambdaOf[s], eval_)).weighted_loss) : '';
    const ds = layers.reduce((a, l) => a + meanAbs(vars[l].scale, predicted[s][l].scale), 0) / layers.length;
    const db = layers.reduce((a, l) => a + meanAbs(vars[l].shift, predicted[s][l].shift), 0) / layers.length;
    console.log(pad([s, fmt(mlp), fmt(oracle), bl, fmt(greyLevels(output(vars), base[s])), fmt(ds), fmt(db)]));
  }
  const outs = Object.fromEntries(oracleSettings.map((s) => [s, output(free[s])]));
  if (oracleSettings.length > 1) console.log(`free norms, outputs apart (grey levels): ${PAIRS.filter(([a, b]) => outs[a] && outs[b]).map(([a, b]) => `${a}–${b} ${fmt(greyLevels(outs[a], outs[b]))}`).join(', ')}`);
}
console.log(`\n${((performance.now() - t0) / 1000).toFixed(0)} s`);

function outputsAtLambda(lambda: number[]): Float32Array {
  const cond = yoto.model.space.condition(lambda, 1);
  const norms = yoto.model.norms(cond)!;
  const v = output(norms);
  tf.dispose([cond, ...Object.values(norms).flatMap((p) => [p.scale, p.shift])]);
  return v;
}

function output0(model: StyleModel): Float32Array {
  const y = tf.tidy(() => model.stylize(photos, null));
  const v = y.dataSync() as Float32Array;
  y.dispose();
  return v;
}

function disposeNorms(norms: Norms): void {
  tf.dispose(Object.values(norms).flatMap((p) => [p.scale, p.shift]));
}

function short(s: string): string {
  return s === 'content-heavy' ? 'c' : s === 'style-heavy' ? 's' : 'bal';
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function fmt(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

function pad(cells: string[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(14) : c.padStart(14))).join('');
}
