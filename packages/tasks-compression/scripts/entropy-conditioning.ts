/**
 * Why the entropy model is λ-conditioned, in numbers: trains two small YOTO models that differ only
 * in the entropy bottleneck (one density for every λ, or the λ-conditioned location-scale density
 * with knots), same seed, data, λ draws and budget, then codes Kodak images at several λ with the
 * real coder. For each model and λ it reports the coded bpp, PSNR, and the bpp an oracle would get
 * with per-channel tables fitted to that very image's symbols (a lower bound for any factorized
 * table, showing how much a λ-independent density leaves on the table).
 *
 *   npx tsx packages/tasks-compression/scripts/entropy-conditioning.ts [--steps 1500] [--n 32] [--m 48]
 *     [--crop 64] [--batch 8] [--lr 5e-4] [--images 4] [--backend wasm] [--out file.json]
 */
import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@yoto/core';
import { BlsFactorizedTask, codecContext, compressAt, decompress, type FactorizedPrior, psnr, toPaddedTensor } from '../src/index.js';
import { parseFlags } from '../bench/args.js';

const f = parseFlags('entropy-conditioning', process.argv.slice(2), { steps: 'int', n: 'int', m: 'int', crop: 'int', batch: 'int', lr: 'string', images: 'int', backend: 'string', out: 'string' }, 'see the header of this file');
const steps = (f.steps as number | undefined) ?? 1500;
const N = (f.n as number | undefined) ?? 32;
const M = (f.m as number | undefined) ?? 48;
const crop = (f.crop as number | undefined) ?? 64;
const batch = (f.batch as number | undefined) ?? 8;
const lr = Number((f.lr as string | undefined) ?? '5e-4');
const nImages = (f.images as number | undefined) ?? 4;
const backend = await initBackend(f.backend as string | undefined);
const LAMBDAS = [0.0018, 0.0067, 0.025, 0.09, 0.18];

function train(knots: number): { model: FactorizedPrior; task: BlsFactorizedTask; seconds: number } {
  const task = new BlsFactorizedTask({ config: { N, M, densityKnots: knots }, cropSize: crop });
  const space = task.defaultSpace();
  const model = task.buildModel({ space, conditioned: true, seed: 1 });
  const opt = tf.train.adam(lr);
  const rng = new Rng(2);
  const t0 = performance.now();
  for (let step = 0; step < steps; step++) {
    const b = task.trainBatch({ step, batchSize: batch, seed: 3 });
    const lambdas = space.sample(batch, rng);
    const condition = tf.tensor2d(space.encode(lambdas, batch), [batch, space.encodedDim]);
    const lam = tf.tensor1d(Float32Array.from({ length: batch }, (_, i) => lambdas[2 * i]));
    const loss = opt.minimize(
      () =>
        tf.tidy(() => {
          const t = task.lossTerms(model, b, { training: true, condition });
          return tf.mean(tf.add(tf.mul(lam, t.distortion), t.rate)) as tf.Scalar;
        }),
      true,
      model.params.variables,
    )!;
    if (step % 250 === 0 || step === steps - 1) process.stderr.write(`knots=${knots} step ${step} loss ${loss.dataSync()[0].toFixed(4)}\n`);
    tf.dispose([loss, condition, lam, b.tensors.x]);
  }
  return { model, task, seconds: (performance.now() - t0) / 1000 };
}

/** Bits an oracle needs with per-channel tables fitted to these very symbols (empirical entropy). */
function oracleBits(symbols: Float32Array, channels: number): number {
  const counts = Array.from({ length: channels }, () => new Map<number, number>());
  for (let i = 0; i < symbols.length; i++) {
    const m = counts[i % channels];
    m.set(symbols[i], (m.get(symbols[i]) ?? 0) + 1);
  }
  let bits = 0;
  for (const m of counts) {
    let n = 0;
    for (const c of m.values()) n += c;
    for (const c of m.values()) bits -= c * Math.log2(c / n);
  }
  return bits;
}

const rows: Record<string, unknown>[] = [];
for (const knots of [0, 8]) {
  const { model, task, seconds } = train(knots);
  const images = (await task.evaluationImages()).slice(0, nImages);
  const ctx = codecContext(model);
  for (const lambda of LAMBDAS) {
    let bpp = 0;
    let oracle = 0;
    let p = 0;
    for (const img of images) {
      const enc = compressAt(model, img, lambda, ctx);
      const dec = decompress(model, enc.bytes, {}, ctx).image;
      const x = toPaddedTensor(img);
      const q = model.quantizedForward(x, lambda);
      const pixels = img.width * img.height;
      bpp += enc.bpp;
      oracle += oracleBits(q.symbols.dataSync() as Float32Array, M) / pixels;
      p += psnr(img.data, dec.data);
      tf.dispose([x, q.y, q.symbols, q.yHat, q.xHat, q.bits]);
    }
    const k = images.length;
    const row = { density: knots ? `λ-conditioned (${knots} knots)` : 'one density for all λ', lambda, bpp: bpp / k, oracle_bpp: oracle / k, psnr: p / k, train_s: Math.round(seconds) };
    rows.push(row);
    console.log(JSON.stringify(row));
  }
  model.dispose();
}
const summary = { backend: backend.name, steps, N, M, crop, batch, lr, images: nImages, rows };
if (f.out) writeFileSync(f.out as string, JSON.stringify(summary, null, 2));
