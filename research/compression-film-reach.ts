/**
 * How far a trained YOTO compression model's FiLM modulation moves with λ. Per conditioned layer, the
 * mean over channels of |scale − 1| and |shift| at λ's range position u = 0 (the geometric middle of
 * the range: the λ-independent part, which the backbone could hold as well) and of how far each
 * moves from there to the ends u = −1 and u = +1 (the λ-dependent part); then the conditioning MLP's
 * hidden kinks inside the range and the learned quantization step log Δ at both ends. Reads the
 * checkpoints only (no data); the network is rebuilt by the model's own builder and given the
 * checkpoint's weights.
 *
 *   npx tsx research/compression-film-reach.ts <home>/checkpoints/<run>/checkpoint.yotockpt [more checkpoints]
 */
import * as tf from '@tensorflow/tfjs';
import { type ConditionedLayerSpec, initBackend, loadTrained, ParamStore } from '@yoto/core';
import { parseFlagsOrExit } from '@yoto/flags';
import { type CompressionModel, conditioningNetwork, TASK_NAME } from '@yoto/tasks-compression';
import { CONDITIONING_SCOPE } from '@yoto/tasks-compression/scopes';

const usage = 'compression-film-reach <checkpoint> [more checkpoints] [--backend b]';
const { flags: f, positionals: files } = parseFlagsOrExit('compression-film-reach', process.argv.slice(2), { backend: { type: 'string' } }, usage, { positionals: true });
if (files.length === 0) {
  console.error(`compression-film-reach: name at least one YOTO checkpoint; usage: ${usage}`);
  process.exit(2);
}
await initBackend(f.backend);
const mean = (xs: ArrayLike<number>): number => Array.from(xs).reduce((s, x) => s + x, 0) / xs.length;
const meanAbs = (t: tf.Tensor): number => mean(tf.tidy(() => tf.abs(t)).dataSync());

for (const file of files) {
  const { model } = await loadTrained<CompressionModel>(file, { task: TASK_NAME });
  if (!model.conditioned) throw new Error(`compression-film-reach: ${file} is a fixed-λ baseline; pass a YOTO checkpoint`);
  const trained = new Map(model.params.entries());
  const get = (name: string): tf.Variable => {
    const v = trained.get(name);
    if (!v) throw new Error(`compression-film-reach: ${file} has no variable '${name}'`);
    return v;
  };
  // The conditioned layers, in the checkpoint's order, with their widths from the shift biases.
  const layers: ConditionedLayerSpec[] = [...trained.keys()]
    .filter((n) => n.startsWith(CONDITIONING_SCOPE) && n.endsWith('/shift/bias'))
    .map((n) => ({ name: n.slice(CONDITIONING_SCOPE.length, -'/shift/bias'.length), channels: get(n).shape[0] }));
  const store = new ParamStore(0);
  const net = conditioningNetwork(store, model.config, model.space.conditionDim, layers);
  for (const [name, v] of store.entries()) v.assign(get(name));

  const positions = [-1, 0, 1];
  const films = positions.map((u) => net.apply(tf.tensor2d([u], [1, 1])));
  const hiddenW = get(`${CONDITIONING_SCOPE}hidden/kernel`).dataSync();
  const hiddenB = get(`${CONDITIONING_SCOPE}hidden/bias`).dataSync();
  const kinks = Array.from(hiddenW, (w, i) => -hiddenB[i] / w).filter((k) => Math.abs(k) < 1).length;
  console.log(`${file}\n  conditioning: multiplier ${net.multiplier}, ${hiddenW.length} hidden units (mean |w| ${mean(Array.from(hiddenW, Math.abs)).toFixed(3)}, ${kinks} kinks inside the range)`);
  console.log('  layer   |scale−1| at u=0  moves to u=−1 / +1  |  |shift| at u=0  moves to u=−1 / +1');
  for (const { name } of layers) {
    const [lo, mid, hi] = films.map((p) => p[name]);
    const moves = (k: 'scale' | 'shift'): string => `${meanAbs(tf.sub(lo[k], mid[k])).toFixed(3)} / ${meanAbs(tf.sub(hi[k], mid[k])).toFixed(3)}`;
    console.log(`  ${name.padEnd(6)}  ${meanAbs(tf.sub(mid.scale, 1)).toFixed(3).padStart(15)}  ${moves('scale').padStart(18)}  |  ${meanAbs(mid.shift).toFixed(3).padStart(13)}  ${moves('shift').padStart(18)}`);
  }
  const step = (end: 'low' | 'high'): string => (trained.has(`${CONDITIONING_SCOPE}log_step/${end}`) ? mean(get(`${CONDITIONING_SCOPE}log_step/${end}`).dataSync()).toFixed(3) : '—');
  console.log(`  mean log Δ at u = −1 / +1: ${step('low')} / ${step('high')}`);
  store.dispose();
  model.params.dispose();
}
