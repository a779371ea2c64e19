/**
 * Is a trained YOTO compression model's conditioning at its own optimum? On held-back BSDS500 training
 * crops (with the training noise), measures distortion and rate under the condition of each of three
 * λ, and the loss λ·D + R of every (condition, λ) pair. A well-trained model does best at every λ
 * under that λ's own condition (the diagonal); anything else means the λ → behaviour mapping was not
 * learned.
 *
 *   YOTO_DATA=../shared/data npx tsx research/cross-condition.ts \
 *     --checkpoint yoto-results/checkpoints/<run>/checkpoint.yotockpt [--batches 8] [--crop 64] [--backend b]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, loadTrained } from '@yoto/core';
import { parseFlagsOrExit } from '@yoto/flags';
import { BlsFactorizedTask, DEFAULT_LAMBDA_RANGE, type FactorizedPrior, TASK_NAME } from '@yoto/tasks-compression';

const { flags: f } = parseFlagsOrExit(
  'cross-condition',
  process.argv.slice(2),
  { checkpoint: { type: 'string' }, batches: { type: 'integer', min: 1, default: 8 }, crop: { type: 'integer', min: 16, default: 64 }, backend: { type: 'string' } },
  'see the header of this file',
);
const file = f.checkpoint;
if (!file) throw new Error('cross-condition: --checkpoint <file> is required');
await initBackend(f.backend);
const { model, taskOptions } = await loadTrained<FactorizedPrior>(file, { task: TASK_NAME });
// The trained task's options, with this script's crop size for the held-back batches.
const task = new BlsFactorizedTask({ ...taskOptions, cropSize: f.crop });
if (!model.conditioned) throw new Error(`cross-condition: ${file} is a fixed-λ baseline; pass a YOTO checkpoint`);
await task.prepare();
const [low, high] = DEFAULT_LAMBDA_RANGE;
const lambdas = [low, Math.sqrt(low * high), high];
const sums = lambdas.map(() => ({ d: 0, r: 0 }));
const batches = f.batches;
for (let s = 0; s < batches; s++) {
  // Steps far past any training run: crops the model has most likely not seen in this order.
  const batch = task.trainBatch({ step: 900_000 + s, batchSize: 8, seed: 11 });
  lambdas.forEach((c, i) => {
    const condition = model.conditionFor(Array<number>(batch.size).fill(c));
    const lambda = tf.tensor2d(Array.from({ length: batch.size }, () => model.lambdaVector(c)).flat(), [batch.size, 2]);
    const t = task.lossTerms(model, batch, { training: true, lambda, condition });
    sums[i].d += tf.mean(t.distortion).dataSync()[0] / batches;
    sums[i].r += tf.mean(t.rate).dataSync()[0] / batches;
    tf.dispose([lambda, condition, t.distortion, t.rate].filter((x) => x !== null));
  });
  batch.tensors.x.dispose();
}
console.log(`loss λ·D + R (rows: condition; columns: λ of the loss)     ${lambdas.map((l) => `λ=${l.toPrecision(2)}`).join('  ')}`);
lambdas.forEach((c, i) => {
  const { d, r } = sums[i];
  console.log(`condition λ=${c.toPrecision(2)}: D=${d.toFixed(1)} R=${r.toFixed(4)} bpp   ${lambdas.map((l) => (l * d + r).toFixed(3)).join('  ')}`);
});
