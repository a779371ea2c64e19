import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createTask, encodePng, evaluateAt, loadTrained, readCheckpoint, spaceFromJSON, findDataset, initBackend, listImageFiles, train } from '@yoto/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticImage, TINY } from '../testing/fixtures.js';
import { compressFile, decompressFile, readImageFile } from '../codec/files.js';
import { cropImage } from '../codec/image.js';
import { BlsFactorizedTask } from './bls-task.js';
import { type FactorizedPrior, STEP_SCOPE } from '../model/factorized-prior.js';
import './register.js';

let dir: string;
beforeAll(async () => {
  await initBackend();
  dir = mkdtempSync(join(tmpdir(), 'yoto-bls-'));
  mkdirSync(join(dir, 'train'));
  mkdirSync(join(dir, 'eval'));
  for (let i = 0; i < 3; i++) {
    const img = syntheticImage(48 + 8 * i, 40, i + 1);
    writeFileSync(join(dir, 'train', `img${i}.png`), await encodePng(img.data, img.width, img.height, 3));
  }
  const big = syntheticImage(180, 176, 9);
  writeFileSync(join(dir, 'eval', 'a.png'), await encodePng(big.data, big.width, big.height, 3));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function task(): BlsFactorizedTask {
  return new BlsFactorizedTask({ config: TINY, cropSize: 32, trainFolders: [join(dir, 'train')], evalFolder: join(dir, 'eval') });
}

describe("task 'bls-factorized'", () => {
  it('is registered in core and declares its terms and default space', () => {
    const t = createTask('bls-factorized');
    expect(t).toBeInstanceOf(BlsFactorizedTask);
    expect(t.terms).toEqual(['distortion', 'rate']);
    const space = t.defaultSpace();
    expect(space.conditionedTerms).toEqual(['distortion']);
    const s = space.sample(1000, new (class {
      private x = 1;
      nextUint32(): number { this.x = (Math.imul(this.x, 1664525) + 1013904223) >>> 0; return this.x; }
      uniform(): number { return this.nextUint32() / 2 ** 32; }
    })() as never);
    for (let i = 0; i < 1000; i++) {
      expect(s[2 * i]).toBeGreaterThanOrEqual(0.0018 * 0.9999);
      expect(s[2 * i]).toBeLessThanOrEqual(0.18 * 1.0001);
      expect(s[2 * i + 1]).toBe(1);
    }
  });

  it('trainBatch is a pure function of (seed, step, batchSize), via the sync decoder or prepare()', async () => {
    const a = task();
    const b = task();
    await b.prepare();
    expect(a.trainingImages().loaded).toBe(false);
    const x1 = a.trainBatch({ step: 5, batchSize: 4, seed: 3 });
    expect(a.trainingImages().loaded).toBe(true);
    const x2 = b.trainBatch({ step: 5, batchSize: 4, seed: 3 });
    expect(x1.tensors.x.shape).toEqual([4, 32, 32, 3]);
    expect(x1.tensors.x.dataSync()).toEqual(x2.tensors.x.dataSync());
    expect(x1.noiseSeed).toBe(x2.noiseSeed);
    const x3 = a.trainBatch({ step: 6, batchSize: 4, seed: 3 });
    expect(x3.tensors.x.dataSync()).not.toEqual(x1.tensors.x.dataSync());
    const v = x1.tensors.x.dataSync();
    expect(Math.min(...v)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...v)).toBeLessThanOrEqual(1);
    expect(() => a.trainBatch({ step: 0, batchSize: 0, seed: 1 })).toThrow(/batchSize/);
    tf.dispose([x1.tensors.x, x2.tensors.x, x3.tensors.x]);
  });

  it('lossTerms: per-example 255²·MSE and bpp, in training (noise) and evaluation (rounding)', () => {
    const t = task();
    const model = t.buildModel({ space: t.defaultSpace(), conditioned: true, seed: 1 });
    const batch = t.trainBatch({ step: 0, batchSize: 3, seed: 1 });
    const condition = model.conditionFor([0.002, 0.02, 0.15])!;
    for (const training of [true, false]) {
      const terms = t.lossTerms(model, batch, { training, lambda: tf.tensor2d([0.002, 1, 0.02, 1, 0.15, 1], [3, 2]), condition });
      expect(terms.distortion.shape).toEqual([3]);
      expect(terms.rate.shape).toEqual([3]);
      const d = terms.distortion.dataSync();
      const r = terms.rate.dataSync();
      for (let i = 0; i < 3; i++) {
        expect(d[i]).toBeGreaterThan(0);
        expect(r[i]).toBeGreaterThan(0);
      }
    }
    // Rounded distortion equals 255²·MSE of the model's own quantized reconstruction.
    const one = { size: 1, tensors: { x: tf.slice(batch.tensors.x, [0, 0, 0, 0], [1, -1, -1, -1]) } };
    const terms = t.lossTerms(model, one, { training: false, lambda: tf.tensor2d([0.02, 1], [1, 2]), condition: model.conditionFor([0.02]) });
    const ref = model.quantizedForward(one.tensors.x as tf.Tensor4D, 0.02);
    const mse = tf.mean(tf.squaredDifference(ref.xHat, one.tensors.x)).dataSync()[0];
    expect(Math.abs(terms.distortion.dataSync()[0] / (mse * 255 * 255) - 1)).toBeLessThan(1e-5);
    expect(terms.rate.dataSync()[0]).toBeCloseTo(ref.bits.dataSync()[0] / (32 * 32), 4);
    model.dispose();
  });

  it('evaluate codes real bitstreams and reports bpp, PSNR, MS-SSIM and the loss', async () => {
    const t = task();
    const model = t.buildModel({ space: t.defaultSpace(), conditioned: true, seed: 2 });
    const m = await evaluateAt(t, model, [0.01, 2]);
    expect(m.images).toBe(1);
    for (const k of ['distortion', 'rate', 'loss', 'bpp', 'estimated_bpp', 'psnr', 'ms_ssim', 'ms_ssim_db']) expect(Number.isFinite(m[k]), k).toBe(true);
    // Second path: the file codec writes the .yoto to disk and decodes it to a PNG; the rate is the
    // file's size on disk over the pixel count, the distortion a hand-written squared error over
    // the PNG read back. The task's numbers must agree with these measurements.
    const input = join(dir, 'eval', 'a.png');
    const coded = join(dir, 'eval-ref.yoto');
    const decoded = join(dir, 'eval-ref.png');
    await compressFile(model, input, coded, { lambda: 0.01 });
    await decompressFile(model, coded, decoded);
    const [orig, back] = [await readImageFile(input), await readImageFile(decoded)];
    const pixels = orig.width * orig.height;
    let sq = 0;
    for (let i = 0; i < orig.data.length; i++) sq += (orig.data[i] - back.data[i]) ** 2;
    const fileBpp = (statSync(coded).size * 8) / pixels;
    const refMse = sq / orig.data.length;
    expect(m.bpp).toBeCloseTo(fileBpp, 10);
    expect(m.rate).toBeCloseTo(fileBpp, 10);
    expect(m.distortion).toBeCloseTo(refMse, 6);
    expect(m.psnr).toBeCloseTo(10 * Math.log10((255 * 255) / refMse), 6);
    // λ = (0.01, 2): the loss weights the measured distortion by 0.01 and the measured rate by 2.
    expect(m.loss).toBeCloseTo(0.01 * refMse + 2 * fileBpp, 6);
    expect(m.ms_ssim).toBeGreaterThan(0);
    expect(m.ms_ssim).toBeLessThan(1);
    model.dispose();
  });

  it("a fixed-λ run hands its λ to the model (the baseline's step starts at Δ(λ)) and its checkpoint rebuilds it", async () => {
    const taskOptions = { config: { ...TINY, quantizationStep: 'lambda' as const }, cropSize: 32, trainFolders: [join(dir, 'train')], evalFolder: join(dir, 'eval') };
    const t = new BlsFactorizedTask(taskOptions);
    const logStep = (m: { params: FactorizedPrior['params'] }) => new Map(m.params.entries()).get(`${STEP_SCOPE}log_step`)!.dataSync()[0];
    for (const lambda of [0.0018, 0.18]) {
      const ckpt = join(dir, `fixed-${lambda}`);
      const run = await train(t, {
        mode: 'fixed',
        lambda: { distortion: lambda, rate: 1 },
        steps: 1,
        batchSize: 2,
        seed: 3,
        // A tiny rate: one step moves log Δ by at most ~1e-6, so it still shows where it started.
        optimizer: { lr: 1e-6 },
        checkpoint: { dir: ckpt, every: 1 },
        taskOptions,
      });
      // −½·ln(λ/λ_mid) with λ_mid = √(0.0018·0.18): ±¼·ln 100 at the two ends of the range.
      expect(logStep(run.model)).toBeCloseTo((lambda < 0.01 ? 1 : -1) * (Math.log(100) / 4), 4);
      const loaded = (await loadTrained<FactorizedPrior>(run.checkpointPath!, { task: t.name })).model;
      expect(logStep(loaded)).toBe(logStep(run.model));
      const [a, b] = [await evaluateAt(t, run.model, [lambda, 1]), await evaluateAt(t, loaded, [lambda, 1])];
      expect(b.bpp).toBe(a.bpp);
      expect(b.psnr).toBe(a.psnr);
      run.model.dispose();
      loaded.dispose();
    }
  });

  it('evalCrop evaluates on the centre window of each image (whole image when it is smaller)', async () => {
    const whole = (await task().evaluationImages())[0];
    const t = new BlsFactorizedTask({ config: TINY, cropSize: 32, trainFolders: [join(dir, 'train')], evalFolder: join(dir, 'eval'), evalCrop: 64 });
    const [c] = await t.evaluationImages();
    expect([c.width, c.height]).toEqual([64, 64]);
    expect(c.data).toEqual(cropImage(whole, 58, 56, 64, 64).data);
    const big = new BlsFactorizedTask({ config: TINY, evalFolder: join(dir, 'eval'), evalCrop: 400 });
    expect((await big.evaluationImages())[0].data).toEqual(whole.data);
    expect(() => new BlsFactorizedTask({ evalCrop: -1 })).toThrow('evalCrop must be an integer ≥ 0');
  });

  const bsds = findDataset('bsds500');
  const kodak = findDataset('kodak');
  it.skipIf(!bsds)('finds the 400 BSDS500 train+test images under the data root (skipped without dataset bsds500)', () => {
    const t = new BlsFactorizedTask();
    expect(t.trainingImages().length).toBe(400);
    expect(listImageFiles(join(bsds!, 'val')).length).toBe(100);
  });
  it.skipIf(!kodak)('evaluates on a Kodak image (skipped without dataset kodak)', async () => {
    const t = new BlsFactorizedTask({ config: TINY });
    const model = t.buildModel({ space: t.defaultSpace(), conditioned: true, seed: 3 });
    const m = await evaluateAt(t, model, [0.05, 1], { limit: 1 });
    expect(m.images).toBe(1);
    expect(m.bpp).toBeGreaterThan(0);
    model.dispose();
  });
});

describe('a compression checkpoint written before the λ redesign', () => {
  // A 1-step YOTO run of N=M=2 written by commit 2478429 (weights only): its options set
  // entropyLearningRateScale and config.conditioningInput 'range', and its space log-encodes λ. The
  // knot positions are now computed from the range encoding, so its numbers would differ slightly:
  // every way of rebuilding it must refuse, naming what changed.
  const FIXTURE = new URL('./__fixtures__/bls-range-v1.yotockpt', import.meta.url).pathname;

  it('is refused by name: the removed task option, the removed model option, the log-encoded space', async () => {
    const ckpt = await readCheckpoint(FIXTURE);
    const options = ckpt.config.taskOptions as Record<string, unknown>;
    expect(() => new BlsFactorizedTask(options)).toThrow(/option 'entropyLearningRateScale' was removed: learning-rate factors are now the trainer's learningRateScales.*written by an older version/);
    const { entropyLearningRateScale: _e, ...rest } = options;
    const t = new BlsFactorizedTask(rest);
    expect(() => t.buildModel({ space: spaceFromJSON(ckpt.space), conditioned: true, seed: 1 })).toThrow(/option 'conditioningInput': it was removed.*must be retrained/);
    const config = { ...(rest.config as Record<string, unknown>) };
    delete config.conditioningInput;
    const t2 = new BlsFactorizedTask({ ...rest, config });
    expect(() => t2.buildModel({ space: spaceFromJSON(ckpt.space), conditioned: true, seed: 1 })).toThrow(/the space must encode 'distortion' as 'range'.*it encodes it 'log'/);
  });
});
