/**
 * Does a YOTO compression model's rate follow λ? Trains one λ-conditioned model (the trainer of
 * @yoto/core, as the experiment does) and codes Kodak centre crops with the real coder at three λ
 * across the range. A model that serves every rate shows bpp rising with λ; a model whose
 * conditioning has not been learned shows one rate for all λ.
 *
 *   YOTO_DATA=../shared/data npx tsx research/lambda-response.ts [--steps 2000]
 *     [--film 1] [--n 64] [--m 96] [--crop 64] [--batch 8] [--lr 5e-4]
 *     [--entropy-lr-scale 10] [--conditioning-lr-scale 1] [--zero-heads] [--lambda-step] [--images 6] [--eval-crop 256] [--backend b]
 *
 * --film sets the FiLM multiplier (0.1 when absent); the conditioning sees log λ mapped onto [−1, 1] (the task's space
 * encodes λ as 'range'); --lambda-step quantizes y/Δ(λ) with a learned per-channel step (config
 * quantizationStep 'lambda'). The learning-rate scales are the trainer's per-scope factors.
 */
import * as tf from '@tensorflow/tfjs';
import { ConsoleSink, evaluateAt, initBackend, train } from '@yoto/core';
import { parseFlagsOrExit } from '@yoto/flags';
import { BlsFactorizedTask, CONDITIONING_SCOPE, DEFAULT_LAMBDA_RANGE, ENTROPY_SCOPE } from '@yoto/tasks-compression';

const { flags: f } = parseFlagsOrExit(
  'lambda-response',
  process.argv.slice(2),
  {
    steps: { type: 'integer', min: 1, default: 2000 },
    film: { type: 'number', above: 0 },
    n: { type: 'integer', min: 1, default: 64 },
    m: { type: 'integer', min: 1, default: 96 },
    crop: { type: 'integer', min: 16, default: 64 },
    batch: { type: 'integer', min: 1, default: 8 },
    lr: { type: 'number', above: 0, default: 5e-4 },
    'entropy-lr-scale': { type: 'number', above: 0, default: 10 },
    'conditioning-lr-scale': { type: 'number', above: 0, default: 1 },
    'zero-heads': { type: 'boolean' },
    'lambda-step': { type: 'boolean' },
    images: { type: 'integer', min: 1, default: 6 },
    'eval-crop': { type: 'integer', min: 0, default: 256 },
    backend: { type: 'string' },
  },
  'see the header of this file',
);
const steps = f.steps;
const film = f.film;
await initBackend(f.backend);
const task = new BlsFactorizedTask({
  config: { N: f.n, M: f.m, ...(film !== undefined ? { filmMultiplier: film } : {}), ...(f['lambda-step'] ? { quantizationStep: 'lambda' as const } : {}) },
  cropSize: f.crop,
  evalCrop: f['eval-crop'],
});
if (f['zero-heads']) {
  // The FiLM heads start at zero, so the model starts λ-independent (a research variant, not a task option).
  const build = task.buildModel.bind(task);
  task.buildModel = (o) => {
    const m = build(o);
    for (const [name, v] of m.params.entries()) if (/^conditioning\/[^/]+\/(scale|shift)\//.test(name)) v.assign(tf.zerosLike(v));
    return m;
  };
}
await task.prepare();
const t0 = performance.now();
const log = (line: string): void => console.log(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${line}`);
const result = await train(
  task,
  {
    mode: 'yoto',
    steps,
    batchSize: f.batch,
    seed: 1,
    optimizer: { lr: f.lr },
    schedule: { kind: 'cosine' },
    logEvery: 250,
    learningRateScales: { [ENTROPY_SCOPE]: f['entropy-lr-scale'], [CONDITIONING_SCOPE]: f['conditioning-lr-scale'] },
  },
  { sink: new ConsoleSink(250, log) },
);
const [low, high] = DEFAULT_LAMBDA_RANGE;
for (const lambda of [low, Math.sqrt(low * high), high]) {
  const m = await evaluateAt(task, result.model, [lambda, 1], { limit: f.images });
  console.log(`λ=${lambda.toPrecision(3)}: ${m.bpp.toFixed(4)} bpp, ${m.psnr.toFixed(2)} dB PSNR (${m.images} images)`);
}
