/**
 * Do a trained YOTO style model's five weights change what it draws? On the held-out photos of the
 * task the checkpoint was trained with, and through that task's own evaluation (`evaluateAt`):
 *
 * 1. Content sweeps: at the style weights of every named setting, the content weight over its
 *    training range: each held-out term, the weighted loss, the content term's share of it, and how
 *    far the output moves (mean absolute pixel difference in grey levels, 0–255) from the previous
 *    point, from the lowest content weight and from the photo itself.
 * Then the instance norms' scale and shift that the conditioning MLP predicts, per layer: how far from
 *    the identity they are, against how much they change between settings; and how far apart the
 *    outputs of settings are when each setting's norms are moved k× further from their mean.
 * 2. The single-style-layer settings (and balanced): how far apart their outputs are, pairwise.
 * 3. Cross-condition (as research/cross-condition.ts does for compression): the weighted loss of every
 *    (condition, setting) pair; a model that learned the mapping does best at every setting under
 *    that setting's own condition.
 * 4. With --baselines: each fixed-weight baseline at its own setting (terms, weighted loss against the
 *    YOTO model's there) and how far apart the baselines' outputs are, pairwise: the spread that
 *    training one network per setting gives, against the YOTO model's spread between the same settings.
 *
 *   YOTO_DATA=… pnpm exec tsx research/style-adjustability.ts --checkpoint <yoto>.yotockpt \
 *     [--baselines <a>.yotockpt,<b>.yotockpt] [--images 22] [--points 5] [--backend b]
 */
import * as tf from '@tensorflow/tfjs';
import { evaluateAt, initBackend, loadTrained, type TrainedModel } from '@yoto/core';
import { parseFlagsOrExit } from '@yoto/flags';
import { greyLevels as diff, outputsAt } from './style/measure.js';
import { evenWeights, registerStyleTasks, STYLE_TASK, STYLE_TERMS, type StyleModel, styleSettings, type StyleTask } from '@yoto/tasks-style';

const { flags: f } = parseFlagsOrExit(
  'style-adjustability',
  process.argv.slice(2),
  {
    checkpoint: { type: 'string' },
    baselines: { type: 'string', default: '' },
    images: { type: 'integer', min: 0, default: 0 },
    points: { type: 'integer', min: 2, default: 5 },
    'batch-size': { type: 'integer', min: 1, default: 8 },
    backend: { type: 'string' },
  },
  'see the header of this file',
);
if (!f.checkpoint) throw new Error('style-adjustability: --checkpoint <file> is required (a YOTO style-transfer checkpoint)');
await initBackend(f.backend);
registerStyleTasks();
const yoto = await loadTrained<StyleModel>(f.checkpoint, { task: STYLE_TASK });
if (!yoto.conditioned) throw new Error(`style-adjustability: ${f.checkpoint} is a fixed-weight baseline; pass the YOTO checkpoint (baselines go in --baselines)`);
const task = yoto.task as StyleTask;
await task.prepare();
const n = f.images > 0 ? Math.min(f.images, task.heldOutSize) : task.heldOutSize;
const photos = await task.heldOutImages(n);
const photoPixels = photos.dataSync() as Float32Array;
const eval_ = { limit: n, batchSize: f['batch-size'] };
const settings = styleSettings(task.options.space);
const [cLo, cHi] = task.options.space?.content ?? [0.1, 1];
const vec = (l: Record<string, number>): number[] => STYLE_TERMS.map((t) => l[t]);
const weighted = (lambda: readonly number[], m: Record<string, number>): number => STYLE_TERMS.reduce((a, t, i) => a + lambda[i] * m[t], 0);

// The task reports each term raw too: their ratio is the fixed normaliser of each term.
const atBalanced = await evaluateAt(task, yoto.model, vec(settings[0].lambda), eval_);
console.log(`${f.checkpoint}: step ${yoto.step}; ${n} held-out photos of ${task.imageSize}²; normalisers ${STYLE_TERMS.map((t) => `${t} ${fmt(atBalanced[`${t}_raw`] / atBalanced[t])}`).join(', ')}`);

// 1. Content sweeps.
console.log(`\n1. content sweeps (terms normalised; Δ = mean |pixel difference| in grey levels)`);
console.log(pad(['setting', 'content w', 'content', 'style1', 'style2', 'style3', 'style4', 'weighted', 'content share', 'Δ prev', 'Δ lowest', 'Δ photo']));
for (const s of settings) {
  let first: Float32Array | null = null;
  let prev: Float32Array | null = null;
  for (const [k, content] of evenWeights(cLo, cHi, f.points).entries()) {
    const lambda = vec({ ...s.lambda, content });
    const m = await evaluateAt(task, yoto.model, lambda, eval_);
    const out = outputs(yoto, lambda);
    const w = weighted(lambda, m);
    console.log(pad([k === 0 ? s.name : '', fmt(lambda[0]), ...STYLE_TERMS.map((t) => fmt(m[t])), fmt(w), pct((lambda[0] * m.content) / w), prev ? fmt(diff(out, prev)) : '', first ? fmt(diff(out, first)) : '', fmt(diff(out, photoPixels))]));
    first ??= out;
    prev = out;
  }
}

// The instance norms' parameters the conditioning MLP predicts: how far they are from the identity
// (scale 1, shift 0) at balanced, against how much they change between the settings.
{
  console.log(`\nCIN parameters per layer: mean |scale − 1| and |shift| at balanced; mean |difference| between content-heavy and style-heavy, and across the 7 settings (max − min)`);
  console.log(pad(['layer', '|scale−1|', '|shift|', 'Δscale c/s', 'Δshift c/s', 'range scale', 'range shift']));
  const cond = tf.concat(settings.map((s) => yoto.model.space.condition(vec(s.lambda), 1)));
  const norms = yoto.model.norms(cond as tf.Tensor2D)!;
  const [ch, sh] = [settings.findIndex((s) => s.name === 'content-heavy'), settings.findIndex((s) => s.name === 'style-heavy')];
  for (const [layer, p] of Object.entries(norms)) {
    const [sc, sf] = [p.scale.arraySync() as number[][], p.shift.arraySync() as number[][]];
    const mean = (f: (c: number) => number): number => sc[0].reduce((a, _, c) => a + f(c), 0) / sc[0].length;
    const range = (m: number[][], c: number): number => Math.max(...m.map((r) => r[c])) - Math.min(...m.map((r) => r[c]));
    console.log(pad([layer, fmt(mean((c) => Math.abs(sc[0][c] - 1))), fmt(mean((c) => Math.abs(sf[0][c]))), fmt(mean((c) => Math.abs(sc[ch][c] - sc[sh][c]))), fmt(mean((c) => Math.abs(sf[ch][c] - sf[sh][c]))), fmt(mean((c) => range(sc, c))), fmt(mean((c) => range(sf, c)))]));
  }
  // Is the picture insensitive to these changes, or are they just small? Each setting's norms moved
  // k× further from their mean over the seven settings: how far apart the outputs then are.
  console.log(`\nthe predicted norms' deviation from their mean over the settings, amplified k×: mean |pixel difference| (grey levels)`);
  console.log(pad(['k', 'bal – c-heavy', 'bal – s-heavy', 'c – s-heavy', 's1 – s4 only']));
  const index = (name: string) => settings.findIndex((s) => s.name === name);
  for (const k of [1, 3, 10]) {
    const at = (i: number): Float32Array => {
      const y = tf.tidy(() => {
        const amplified = Object.fromEntries(
          Object.entries(norms).map(([layer, p]) => {
            const one = (t: tf.Tensor2D) => tf.add(tf.mean(t, 0, true), tf.mul(tf.sub(t.slice([i, 0], [1, -1]), tf.mean(t, 0, true)), k)) as tf.Tensor2D;
            return [layer, { scale: one(p.scale), shift: one(p.shift) }];
          }),
        );
        return yoto.model.stylize(photos, amplified);
      });
      const v = y.dataSync() as Float32Array;
      y.dispose();
      return v;
    };
    const o = Object.fromEntries(['balanced', 'content-heavy', 'style-heavy', 'style1-only', 'style4-only'].map((n) => [n, at(index(n))]));
    console.log(pad([String(k), fmt(diff(o.balanced, o['content-heavy'])), fmt(diff(o.balanced, o['style-heavy'])), fmt(diff(o['content-heavy'], o['style-heavy'])), fmt(diff(o['style1-only'], o['style4-only']))]));
  }
  tf.dispose([cond, ...Object.values(norms).flatMap((p) => [p.scale, p.shift])]);
}

// 2. The single-style-layer settings, pairwise.
const layered = settings.filter((s) => s.name === 'balanced' || s.name.endsWith('-only'));
const layeredOut = layered.map((s) => outputs(yoto, vec(s.lambda)));
console.log(`\n2. single-style-layer settings: mean |pixel difference| between outputs (grey levels)`);
console.log(pad(['', ...layered.map((s) => s.name)]));
layered.forEach((s, i) => console.log(pad([s.name, ...layeredOut.map((o, j) => (j === i ? '·' : fmt(diff(layeredOut[i], o))))])));

// 3. Cross-condition: terms under every setting's condition, weighted by every setting's λ.
const byCondition: Record<string, number>[] = [];
for (const s of settings) byCondition.push(await evaluateAt(task, yoto.model, vec(s.lambda), eval_));
console.log(`\n3. weighted loss (rows: condition; columns: the setting whose λ weights the terms; * = column minimum)`);
console.log(pad(['condition', ...settings.map((s) => s.name)]));
const own: string[] = [];
settings.forEach((row, i) => {
  const cells = settings.map((col, j) => {
    const v = weighted(vec(col.lambda), byCondition[i]);
    const best = settings.every((_, r) => weighted(vec(col.lambda), byCondition[r]) >= v);
    if (best && i === j) own.push(col.name);
    return `${fmt(v)}${best ? '*' : ' '}`;
  });
  console.log(pad([row.name, ...cells]));
});
console.log(`own condition lowest at ${own.length}/${settings.length} settings${own.length < settings.length ? ` (not at ${settings.filter((s) => !own.includes(s.name)).map((s) => s.name).join(', ')})` : ''}`);

// 4. Baselines at their own settings.
const baselineFiles = f.baselines.split(',').filter(Boolean);
if (baselineFiles.length > 0) {
  console.log(`\n4. baselines at their own setting: terms, weighted loss, YOTO's weighted loss there, gap, Δ(YOTO, baseline)`);
  console.log(pad(['baseline λ', 'content', 'style1', 'style2', 'style3', 'style4', 'weighted', 'YOTO', 'gap', 'Δ YOTO']));
  const outs: { name: string; base: Float32Array; yoto: Float32Array }[] = [];
  for (const file of baselineFiles) {
    const b = await loadTrained<StyleModel>(file, { task: STYLE_TASK });
    if (b.conditioned || !b.lambda) throw new Error(`style-adjustability: ${file} is not a fixed-weight baseline`);
    const lambda = b.lambda;
    const name = settings.find((s) => vec(s.lambda).every((v, i) => Math.abs(v - lambda[i]) <= 1e-9))?.name ?? lambda.join('/');
    const mb = await evaluateAt(task, b.model, lambda, eval_);
    const my = await evaluateAt(task, yoto.model, lambda, eval_);
    const [wb, wy] = [weighted(lambda, mb), weighted(lambda, my)];
    const o = { name, base: outputs(b, lambda), yoto: outputs(yoto, lambda) };
    outs.push(o);
    console.log(pad([name, ...STYLE_TERMS.map((t) => fmt(mb[t])), fmt(wb), fmt(wy), pct(wy / wb - 1), fmt(diff(o.base, o.yoto))]));
    b.model.dispose();
  }
  console.log(`\nbetween settings, mean |pixel difference| (grey levels): baselines vs the YOTO model at the same two settings`);
  for (let i = 0; i < outs.length; i++)
    for (let j = i + 1; j < outs.length; j++)
      console.log(`  ${outs[i].name} – ${outs[j].name}: baselines ${fmt(diff(outs[i].base, outs[j].base))}, YOTO ${fmt(diff(outs[i].yoto, outs[j].yoto))}`);
}
photos.dispose();
yoto.model.dispose();
task.dispose();

function outputs(t: TrainedModel<StyleModel>, lambda: readonly number[]): Float32Array {
  return outputsAt(t.model, photos, lambda);
}

function fmt(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

function pct(v: number): string {
  return `${(100 * v).toFixed(1)}%`;
}

function pad(cells: string[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(14) : c.padStart(14))).join('');
}
