/**
 * Why the entropy model is λ-conditioned, in numbers.
 *
 * 1. Trains one small YOTO model (FiLM on log λ, λ-conditioned density) on BSDS500 crops, or loads a
 *    trained one (`--checkpoint`, e.g. the YOTO run of compression-rd-sweep; its shape, knots and λ
 *    range then come from the checkpoint).
 * 2. Freezes its transforms, caches the latents y of training crops at λ drawn from the training
 *    distribution, and fits two fresh entropy models on that cache with the same budget: one density
 *    for every λ (knots 0) and the λ-conditioned location-scale density (knots K).
 * 3. Codes Kodak images at several λ with the real rANS coder under each entropy model. The
 *    transforms are identical, so the rate difference is the entropy model's alone (the medians used
 *    as quantization offsets differ slightly, hence the PSNR column). `oracle_bpp` is what per-channel
 *    tables fitted to each image's own symbols would need: a floor for any factorized table.
 *
 *   npx tsx research/entropy-conditioning.ts [--steps 3000] [--n 32] [--m 48]
 *     [--crop 64] [--batch 8] [--lr 1e-3] [--knots 8] [--fit-steps 1500] [--images 4] [--backend b] [--out f.json]
 *     [--lambda-low 0.0018] [--lambda-high 0.18] [--checkpoint yoto-results/checkpoints/<run>/checkpoint.ckpt]
 *
 * A CPU-sized budget leaves the model far from convergence (≈ 18–22 dB), where every λ of the
 * default range still wants lower distortion, so the latents barely depend on λ. Shifting the range
 * down (e.g. --lambda-low 0.0002 --lambda-high 0.02) reaches the regime where λ moves the rate
 * within the same budget, which is what the entropy model has to follow.
 */
import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { initBackend, loadTrained, ParamStore, Rng } from '@yoto/core';
import {
  BlsFactorizedTask,
  type CodingModel,
  encodeValues,
  EntropyBottleneck,
  type FactorizedPrior,
  TASK_NAME,
  HEADER_BYTES,
  psnr,
  toImage,
  toPaddedTensor,
} from '@yoto/tasks-compression';
import { parseFlagsOrExit } from '@yoto/flags';

const { flags: f } = parseFlagsOrExit(
  'entropy-conditioning',
  process.argv.slice(2),
  {
    steps: { type: 'integer', min: 0, default: 3000 },
    n: { type: 'integer', min: 1, default: 32 },
    m: { type: 'integer', min: 1, default: 48 },
    crop: { type: 'integer', min: 16, default: 64 },
    batch: { type: 'integer', min: 1, default: 8 },
    lr: { type: 'number', above: 0, default: 1e-3 },
    knots: { type: 'integer', min: 0, default: 8 },
    'fit-steps': { type: 'integer', min: 0, default: 1500 },
    images: { type: 'integer', min: 1, default: 4 },
    backend: { type: 'string' },
    out: { type: 'string' },
    'lambda-low': { type: 'number', above: 0, default: 0.0018 },
    'lambda-high': { type: 'number', above: 0, default: 0.18 },
    checkpoint: { type: 'string' },
  },
  'see the header of this file',
);
const checkpoint = f.checkpoint;
const crop = f.crop;
const batch = f.batch;
const lr = f.lr;
const fitSteps = f['fit-steps'];
const nImages = f.images;
const backend = await initBackend(f.backend);
// The model's shape lives in the task options the checkpoint was trained with.
const loaded = checkpoint ? (await loadTrained<FactorizedPrior>(checkpoint, { task: TASK_NAME })).model : null;
if (loaded && !loaded.conditioned) throw new Error(`entropy-conditioning: ${checkpoint} is a fixed-λ baseline; pass the YOTO run's checkpoint`);
const steps = loaded ? 0 : f.steps;
const N = loaded ? loaded.config.N : f.n;
const M = loaded ? loaded.config.M : f.m;
const K = loaded ? loaded.config.densityKnots : f.knots;
const lambdaLow = loaded ? loaded.lambdaRange[0] : f['lambda-low'];
const lambdaHigh = loaded ? loaded.lambdaRange[1] : f['lambda-high'];
const LAMBDAS = [0, 1, 2, 3, 4].map((k) => lambdaLow * (lambdaHigh / lambdaLow) ** (k / 4));
const log = (s: string): void => void process.stderr.write(`${s}\n`);

// 1. One YOTO model.
const task = new BlsFactorizedTask({ config: { N, M, densityKnots: K }, cropSize: crop, lambdaRange: [lambdaLow, lambdaHigh] });
const space = loaded ? loaded.space : task.defaultSpace();
const model = loaded ?? (task.buildModel({ space, conditioned: true, seed: 1 }) as FactorizedPrior);
if (!loaded) {
  const opt = tf.train.adam(lr);
  const rng = new Rng(2);
  const t0 = performance.now();
  for (let step = 0; step < steps; step++) {
    const b = task.trainBatch({ step, batchSize: batch, seed: 3 });
    const lambdas = space.sample(batch, rng);
    const condition = space.condition(lambdas, batch);
    const lambda = tf.tensor2d(lambdas, [batch, 2]);
    const lam = tf.tensor1d(Float32Array.from({ length: batch }, (_, i) => lambdas[2 * i]));
    const loss = opt.minimize(
      () =>
        tf.tidy(() => {
          const t = task.lossTerms(model, b, { training: true, lambda, condition });
          return tf.mean(tf.add(tf.mul(lam, t.distortion), t.rate)) as tf.Scalar;
        }),
      true,
      model.params.variables,
    )!;
    if (step % 500 === 0 || step === steps - 1) log(`train step ${step} loss ${loss.dataSync()[0].toFixed(3)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    tf.dispose([loss, condition, lambda, lam, b.tensors.x]);
  }
}

// 2. Latent cache and two entropy models fitted on it.
const cacheBatches = 32;
const cache: { y: tf.Tensor4D; condition: tf.Tensor2D }[] = [];
{
  const rng = new Rng(5);
  for (let k = 0; k < cacheBatches; k++) {
    const b = task.trainBatch({ step: 1_000_000 + k, batchSize: batch, seed: 7 });
    const lambdas = space.sample(batch, rng);
    const condition = space.condition(lambdas, batch);
    cache.push({ y: model.analysis(b.tensors.x as tf.Tensor4D, condition), condition });
    b.tensors.x.dispose();
  }
}
// The space range-encodes λ (u ∈ [−1, 1] over the range): knot position (u + 1)·(knots − 1)/2.
const positions = (condition: tf.Tensor2D, knots: number): tf.Tensor1D =>
  tf.tidy(() => tf.mul(tf.add(tf.reshape(condition, [-1]), 1), (knots - 1) / 2) as tf.Tensor1D);

function fitDensity(knots: number): EntropyBottleneck {
  const store = new ParamStore(11);
  const eb = new EntropyBottleneck(store.scope('eb'), M, { knots });
  const opt = tf.train.adam(1e-2);
  for (let s = 0; s < fitSteps; s++) {
    const { y, condition } = cache[s % cacheBatches];
    const pos = knots ? positions(condition, knots) : null;
    opt.minimize(
      () => tf.tidy(() => tf.div(tf.neg(tf.sum(tf.log(eb.likelihood(EntropyBottleneck.addNoise(y, s), pos)))), Math.LN2 * batch * crop * crop)) as tf.Scalar,
      false,
      store.variables,
    );
    pos?.dispose();
  }
  return eb;
}
const fitted: { name: string; eb: EntropyBottleneck }[] = [
  { name: 'one density for all λ (fitted)', eb: fitDensity(0) },
  { name: `λ-conditioned, ${K} knots (fitted)`, eb: fitDensity(K) },
  { name: `λ-conditioned, ${K} knots (trained jointly)`, eb: model.bottleneck },
];

// 3. Real coding on Kodak.
function oracleBits(symbols: ArrayLike<number>): number {
  const counts = Array.from({ length: M }, () => new Map<number, number>());
  for (let i = 0; i < symbols.length; i++) counts[i % M].set(symbols[i], (counts[i % M].get(symbols[i]) ?? 0) + 1);
  let bits = 0;
  for (const m of counts) {
    let n = 0;
    for (const c of m.values()) n += c;
    for (const c of m.values()) bits -= c * Math.log2(c / n);
  }
  return bits;
}

function codeWith(eb: EntropyBottleneck, knotPosition: number, y: tf.Tensor4D, lambda: number, m: FactorizedPrior) {
  const coding: CodingModel = eb.codingModel(eb.knots ? knotPosition * ((eb.knots - 1) / (K - 1)) : 0);
  const med = tf.tensor2d(coding.medians, [1, M]);
  const q = EntropyBottleneck.quantize(y, med);
  const symbols = Int32Array.from(q.dataSync());
  const indexes = Uint16Array.from({ length: symbols.length }, (_, i) => i % M);
  const bytes = encodeValues(symbols, indexes, coding.tables).length + HEADER_BYTES;
  const xHat = m.decodeSymbols(q, lambda, coding);
  tf.dispose([med, q]);
  return { bytes, xHat, symbols };
}

const images = await task.evaluationImages(nImages);
const rows: Record<string, unknown>[] = [];
for (const lambda of LAMBDAS) {
  const t = model.knotPosition(lambda);
  const acc = fitted.map(() => ({ bpp: 0, psnr: 0, oracle: 0 }));
  for (const img of images) {
    const x = toPaddedTensor(img);
    const y = model.analysis(x, model.conditionFor([lambda]));
    fitted.forEach(({ eb }, i) => {
      const r = codeWith(eb, t, y, lambda, model);
      const dec = toImage(r.xHat, img.width, img.height);
      const px = img.width * img.height;
      acc[i].bpp += (r.bytes * 8) / px;
      acc[i].psnr += psnr(img.data, dec.data);
      acc[i].oracle += oracleBits(r.symbols) / px;
      r.xHat.dispose();
    });
    tf.dispose([x, y]);
  }
  fitted.forEach(({ name }, i) => {
    const row = { entropy_model: name, lambda: +lambda.toPrecision(3), bpp: +(acc[i].bpp / images.length).toFixed(4), psnr: +(acc[i].psnr / images.length).toFixed(2), oracle_bpp: +(acc[i].oracle / images.length).toFixed(4) };
    rows.push(row);
    console.log(JSON.stringify(row));
  });
}
const summary = { backend: backend.name, checkpoint: checkpoint ?? null, lambdaRange: [lambdaLow, lambdaHigh], steps, N, M, crop, batch, lr, knots: K, fitSteps, images: images.length, rows };
if (f.out) writeFileSync(f.out, JSON.stringify(summary, null, 2));
