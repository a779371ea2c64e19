import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { Rng, createTask, evaluateAt, findDataset, initBackend, train } from '@yoto/core';
import { beforeAll, describe, expect, it } from 'vitest';
import './index.js';
import { STREAM, streamRng } from './seeds.js';
import { type VaeTask, createVaeTask } from './task.js';

beforeAll(async () => {
  await initBackend('cpu');
});

/** A small model so that tests train on one CPU core in seconds. */
const TINY = { channels: [4, 8], latent: 2, conditioningHidden: 8, trainLimit: 64, testLimit: 40 };

describe('VAE task contract', () => {
  it('declares its terms and default space: reconstruction fixed at 1, kl log-uniform on [1/8, 64]', () => {
    const task = createVaeTask(TINY);
    expect(task.terms).toEqual(['reconstruction', 'kl']);
    const space = task.defaultSpace();
    expect(space.conditionedTerms).toEqual(['kl']);
    expect(space.conditionDim).toBe(1);
    const lambdas = space.sample(2000, new Rng(1));
    let lo = Infinity;
    let hi = -Infinity;
    let logSum = 0;
    for (let i = 0; i < 2000; i++) {
      expect(lambdas[2 * i]).toBe(1);
      const b = lambdas[2 * i + 1];
      lo = Math.min(lo, b);
      hi = Math.max(hi, b);
      logSum += Math.log(b);
    }
    expect(lo).toBeGreaterThanOrEqual(1 / 8);
    expect(hi).toBeLessThanOrEqual(64);
    // Log-uniform: the mean of log β is the midpoint of [log 1/8, log 64] = log √8.
    expect(logSum / 2000).toBeCloseTo(Math.log(Math.sqrt(8)), 1);
    expect(Array.from(space.condition([1, 4], 1).dataSync())).toEqual([Math.fround(Math.log(4))]);
  });

  it('trainBatch is a pure function of (seed, step, batchSize) and walks per-epoch permutations', () => {
    const task = createVaeTask({ ...TINY, trainLimit: 10 });
    const read = (seed: number, step: number, bs = 5): number[][] => {
      const b = task.trainBatch({ seed, step, batchSize: bs });
      const x = b.tensors.x.arraySync() as number[][][][];
      const noise = b.tensors.noise.arraySync() as number[][];
      tf.dispose(Object.values(b.tensors));
      return [...x.map((img) => img.flat(2)), ...noise];
    };
    // A second task instance (as after a restart) produces identical batches.
    const again = createVaeTask({ ...TINY, trainLimit: 10 });
    const b1 = task.trainBatch({ seed: 3, step: 7, batchSize: 5 });
    const b2 = again.trainBatch({ seed: 3, step: 7, batchSize: 5 });
    expect(b2.tensors.x.arraySync()).toEqual(b1.tensors.x.arraySync());
    expect(b2.tensors.noise.arraySync()).toEqual(b1.tensors.noise.arraySync());
    tf.dispose([...Object.values(b1.tensors), ...Object.values(b2.tensors)]);
    expect(read(3, 7)).toEqual(read(3, 7));
    expect(read(3, 7)).not.toEqual(read(3, 8));
    expect(read(3, 7)).not.toEqual(read(4, 7));
    // Steps 0 and 1 (batch 5) cover epoch 0: each of the 10 images exactly once.
    const key = (img: number[]): string => img.join('');
    const epoch0 = [...read(1, 0).slice(0, 5), ...read(1, 1).slice(0, 5)].map(key);
    const whole = [...read(1, 0, 10).slice(0, 10)].map(key);
    expect(new Set(epoch0)).toEqual(new Set(whole));
    // Epochs are shuffled differently: epoch 1 is not a repeat of epoch 0's order.
    const epoch1 = [...read(1, 2).slice(0, 5), ...read(1, 3).slice(0, 5)].map(key);
    expect(new Set(epoch1)).toEqual(new Set(epoch0));
    expect(epoch1).not.toEqual(epoch0);
    // The batch holds 0/1 pixels (binarized by default) and unit-Gaussian-looking noise.
    const b = task.trainBatch({ seed: 0, step: 0, batchSize: 64 });
    expect(new Set(b.tensors.x.dataSync())).toEqual(new Set([0, 1]));
    expect(b.tensors.noise.shape).toEqual([64, 2]);
    tf.dispose(Object.values(b.tensors));
  });

  it('gives per-example terms, and the noise makes the sampled loss reproducible', () => {
    const task = createVaeTask(TINY);
    const space = task.defaultSpace();
    const model = task.buildModel({ space, conditioned: true, seed: 5 });
    const batch = task.trainBatch({ seed: 1, step: 2, batchSize: 6 });
    const lambdas = space.sample(6, new Rng(2));
    const cond = space.condition(lambdas, 6);
    const lam = tf.tensor2d(lambdas, [6, 2]);
    const run = (): number[][] =>
      tf.tidy(() => {
        const t = task.lossTerms(model, batch, { training: true, lambda: lam, condition: cond });
        expect(t.reconstruction.shape).toEqual([6]);
        expect(t.kl.shape).toEqual([6]);
        return [[...t.reconstruction.dataSync()], [...t.kl.dataSync()]];
      });
    const [rec, kl] = run();
    expect(run()).toEqual([rec, kl]);
    expect(rec.every((v) => v > 0)).toBe(true);
    expect(kl.every((v) => v >= 0)).toBe(true);
    expect(() => task.lossTerms(model, { size: 6, tensors: { x: batch.tensors.x } }, { training: true, lambda: lam, condition: cond })).toThrow(/needs 'noise' of shape \[6, 2\]/);
    tf.dispose([...Object.values(batch.tensors), cond]);
    model.dispose();
  });

  it('evaluate agrees with a hand computation: Bernoulli NLL by its definition, Gaussian KL in closed form', async () => {
    // A second computation path in plain JS doubles from the model's encoder/decoder outputs and
    // each test example's fixed noise (stream evalNoise, seed 0): −Σ[x·log σ(l) + (1−x)·log(1−σ(l))]
    // and ½·Σ(μ² + σ² − log σ² − 1), averaged over the images.
    const task = createVaeTask(TINY);
    const model = task.buildModel({ space: task.defaultSpace(), conditioned: false, seed: 6 });
    const n = 7;
    const m = await evaluateAt(task, model, [1, 4], { limit: n, batchSize: 3 });
    const x = task.testImages(n);
    const { mean, logvar } = model.encode(x, model.films(null));
    const [mu, lv] = [mean.arraySync(), logvar.arraySync()];
    let kl = 0;
    const z: number[][] = [];
    for (let i = 0; i < n; i++) {
      const rng = streamRng(0, STREAM.evalNoise, i);
      z.push(mu[i].map((u, d) => u + Math.exp(lv[i][d] / 2) * rng.normal()));
      for (let d = 0; d < TINY.latent; d++) kl += 0.5 * (mu[i][d] ** 2 + Math.exp(lv[i][d]) - lv[i][d] - 1);
    }
    const logitsT = model.decode(tf.tensor2d(z), null);
    const [logits, pixels] = [logitsT.dataSync(), x.dataSync()];
    let rec = 0;
    for (let p = 0; p < pixels.length; p++) {
      const s = 1 / (1 + Math.exp(-logits[p]));
      rec -= pixels[p] * Math.log(s) + (1 - pixels[p]) * Math.log(1 - s);
    }
    [rec, kl] = [rec / n, kl / n];
    const close = (got: number, want: number, tol = 1e-4): void => expect(Math.abs(got / want - 1)).toBeLessThan(tol);
    close(m.reconstruction, rec);
    close(m.kl, kl);
    // An untrained model's KL is small beside the reconstruction: check what the KL adds on its own.
    close(m.neg_elbo - m.reconstruction, kl, 1e-3);
    close(m.weighted_loss - m.reconstruction, 4 * kl, 1e-3);
    tf.dispose([x, mean, logvar, logitsT]);
    model.dispose();
  });

  it('evaluates on the test split: metrics independent of batch size, deterministic, β = 1 gives the ELBO', async () => {
    const task = createVaeTask(TINY);
    const space = task.defaultSpace();
    const model = task.buildModel({ space, conditioned: true, seed: 6 });
    const m4 = await evaluateAt(task, model, [1, 4], { batchSize: 16 });
    expect(Object.keys(m4).sort()).toEqual(['kl', 'neg_elbo', 'reconstruction', 'weighted_loss']);
    // Batch size does not change the result (each example has its own fixed noise); repeats agree.
    const whole = await evaluateAt(task, model, [1, 4], { batchSize: 40 });
    for (const k of Object.keys(m4)) expect(whole[k]).toBeCloseTo(m4[k], 2);
    expect(await evaluateAt(task, model, [1, 4], { batchSize: 16 })).toEqual(m4);
    // At β = 1 the weighted loss is the negative ELBO.
    const m1 = await evaluateAt(task, model, [1, 1], { limit: 8 });
    expect(m1.weighted_loss).toBeCloseTo(m1.neg_elbo, 4);
    await expect(evaluateAt(task, model, [1])).rejects.toThrow(/λ must be 2 finite numbers/);
    model.dispose();
  });

  it('a few YOTO training steps reduce the loss, without leaking tensors', async () => {
    const task = createVaeTask({ ...TINY, trainLimit: 256 });
    const untrained = task.buildModel({ space: task.defaultSpace(), conditioned: true, seed: 7 });
    const before = await evaluateAt(task, untrained, [1, 1], { limit: 32 });
    untrained.dispose();
    const counts: number[] = [];
    const run = await train(task, { mode: 'yoto', steps: 40, batchSize: 16, seed: 7, optimizer: { lr: 1e-2 } }, { onProgress: () => counts.push(tf.memory().numTensors) });
    // After the first step the tensor count must stay flat.
    expect(new Set(counts.slice(1)).size).toBe(1);
    const after = await evaluateAt(task, run.model, [1, 1], { limit: 32 });
    expect(after.neg_elbo).toBeLessThan(0.8 * before.neg_elbo);
    run.model.dispose();
  });

  it("trains through core's trainer (yoto mode) and the test loss falls", async () => {
    const task = createVaeTask({ ...TINY, trainLimit: 256 });
    const untrained = task.buildModel({ space: task.defaultSpace(), conditioned: true, seed: 3 });
    const before = await evaluateAt(task, untrained, [1, 2], { limit: 32 });
    untrained.dispose();
    const run = await train(task, { mode: 'yoto', steps: 25, batchSize: 16, seed: 3, optimizer: { lr: 1e-2 } });
    expect(run.status).toBe('completed');
    const after = await evaluateAt(task, run.model, [1, 2], { limit: 32 });
    expect(after.weighted_loss).toBeLessThan(0.8 * before.weighted_loss);
    run.model.dispose();
  });

  it('trains a baseline (unconditioned) model with a fixed β', async () => {
    const task = createVaeTask(TINY);
    // The same batch every step, so the loss must fall.
    const oneBatch = Object.assign(Object.create(task) as typeof task, { trainBatch: (o: { seed: number; batchSize: number }) => task.trainBatch({ ...o, step: 0 }) });
    const losses: number[] = [];
    const run = await train(oneBatch, { mode: 'fixed', lambda: [1, 2], steps: 15, batchSize: 16, seed: 9, optimizer: { lr: 1e-2 } }, { onProgress: (p) => losses.push(p.loss) });
    expect(run.model.conditioned).toBe(false);
    expect(run.model.params.entries().some(([n]) => n.startsWith('conditioning/'))).toBe(false);
    expect(losses[14]).toBeLessThan(0.8 * losses[0]);
    run.model.dispose();
  });

  it('rejects unknown options, wrong types and mismatched spaces clearly', () => {
    expect(() => createVaeTask({ latnet: 4 })).toThrow(/unknown VAE task option 'latnet'; known options: dataset, dataRoot, binarize/);
    expect(() => createVaeTask({ latent: '4' })).toThrow(`VAE task option 'latent' must be a number, got "4"`);
    expect(() => createVaeTask({ channels: [4, 'x'] })).toThrow(/'channels' must be a number\[\]/);
    expect(() => createVaeTask({ trainLimit: -1 })).toThrow(/'trainLimit' must be an integer ≥ 0/);
    expect(() => createVaeTask({ latent: 0 })).toThrow(/latent must be an integer ≥ 1/);
    const task = createVaeTask(TINY);
    const other = { ...task.defaultSpace(), terms: ['distortion', 'rate'] } as never;
    expect(() => task.buildModel({ space: other, conditioned: false, seed: 0 })).toThrow(/terms are \[reconstruction, kl\], but the coefficient space has \[distortion, rate\]/);
  });

  it('is registered as vae-mnist and vae-fashion-mnist', () => {
    const t = createTask('vae-mnist', { latent: 3 });
    expect(t.name).toBe('vae-mnist');
    expect(createTask('vae-fashion-mnist').name).toBe('vae-fashion-mnist');
  });
});

const fashionRoot = process.env.YOTO_DATA;
const hasFashion = findDataset('fashion-mnist', fashionRoot) !== null;

describe.skipIf(!hasFashion)('vae-fashion-mnist (skipped: dataset fashion-mnist not under YOTO_DATA nor /usr/share/datasets)', () => {
  it('reads Fashion-MNIST and evaluates a model on it', async () => {
    const task = createTask('vae-fashion-mnist', { ...TINY, binarize: false, dataRoot: fashionRoot });
    const b = task.trainBatch({ seed: 0, step: 0, batchSize: 4 });
    expect(b.tensors.x.shape).toEqual([4, 28, 28, 1]);
    const values = b.tensors.x.dataSync();
    expect(values.some((v) => v > 0 && v < 1)).toBe(true); // gray, not binarized
    tf.dispose(Object.values(b.tensors));
    // The test images are the IDX file's bytes /255: read the file a second way (zlib, header of
    // 16 bytes: magic 0x00000803, count 10,000, 28, 28).
    const dir = findDataset('fashion-mnist', fashionRoot)!;
    const file = join(dir, 't10k-images-idx3-ubyte');
    const raw = existsSync(file) ? readFileSync(file) : gunzipSync(readFileSync(`${file}.gz`));
    expect([raw.readUInt32BE(0), raw.readUInt32BE(4), raw.readUInt32BE(8), raw.readUInt32BE(12)]).toEqual([0x803, 10000, 28, 28]);
    const first = (task as VaeTask).testImages(2);
    expect(Array.from(first.dataSync(), (v) => Math.round(v * 255))).toEqual([...raw.subarray(16, 16 + 2 * 784)]);
    first.dispose();
    const model = task.buildModel({ space: task.defaultSpace(), conditioned: false, seed: 0 });
    const m = await evaluateAt(task, model, [1, 1], { limit: 8 });
    for (const v of Object.values(m)) expect(Number.isFinite(v)).toBe(true);
    expect(m.reconstruction).toBeGreaterThan(0);
    model.params.dispose();
  });
});
