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
import { parseFlags } from './args.js';
import { BlsFactorizedTask, CONDITIONING_SCOPE, DEFAULT_LAMBDA_RANGE, ENTROPY_SCOPE } from '@yoto/tasks-compression';

const f = parseFlags(
  'lambda-response',
  process.argv.slice(2),
  { steps: 'int', film: 'string', n: 'int', m: 'int', crop: 'int', batch: 'int', lr: 'string', 'entropy-lr-scale': 'string', 'conditioning-lr-scale': 'string', 'zero-heads': 'bool', 'lambda-step': 'bool', images: 'int', 'eval-crop': 'int', backend: 'string' },
  'see the header of this file',
);
const num = (key: string, fallback: number): number => {
  const v = f[key] === undefined ? fallback : Number(f[key]);
  if (!Number.isFinite(v)) throw new Error(`lambda-response: --${key} must be a number, got '${String(f[key])}'`);
  return v;
};
const steps = (f.steps as number | undefined) ?? 2000;
const film = f.film === undefined ? undefined : num('film', 0.1);
await initBackend(f.backend as string | undefined);
const task = new BlsFactorizedTask({
  config: { N: (f.n as number | undefined) ?? 64, M: (f.m as number | undefined) ?? 96, ...(film !== undefined ? { filmMultiplier: film } : {}), ...(f['lambda-step'] ? { quantizationStep: 'lambda' as const } : {}) },
  cropSize: (f.crop as number | undefined) ?? 64,
  evalCrop: (f['eval-crop'] as number | undefined) ?? 256,
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
    batchSize: (f.batch as number | undefined) ?? 8,
    seed: 1,
    optimizer: { lr: num('lr', 5e-4) },
    schedule: { kind: 'cosine' },
    logEvery: 250,
    learningRateScales: { [ENTROPY_SCOPE]: num('entropy-lr-scale', 10), [CONDITIONING_SCOPE]: num('conditioning-lr-scale', 1) },
  },
  { sink: new ConsoleSink(250, log) },
);
const [low, high] = DEFAULT_LAMBDA_RANGE;
for (const lambda of [low, Math.sqrt(low * high), high]) {
  const m = await evaluateAt(task, result.model, [lambda, 1], { limit: (f.images as number | undefined) ?? 6 });
  console.log(`λ=${lambda.toPrecision(3)}: ${m.bpp.toFixed(4)} bpp, ${m.psnr.toFixed(2)} dB PSNR (${m.images} images)`);
}
