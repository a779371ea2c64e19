import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { encodePng, initBackend, MemorySink, readCheckpoint, checkpointPath, train, type TrainConfig } from '@yoto/core';
import { nativeAgainstPlain, objectiveGradients } from '@yoto/core/testing';
import { loadAddon } from '@yoto/tfjs-dnnl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticImage, TINY } from '../testing/fixtures.js';
import { BlsFactorizedTask } from './bls-task.js';

/*
 * The compression model on oneDNN's kernels (wasm+dnnl): its loss and gradient against plain wasm,
 * and a resumed training run bit for bit against an uninterrupted one on the same backend.
 */
const dnnl = loadAddon();
const skipWhy = dnnl.ok ? '' : ` (skipped: ${dnnl.why})`;

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'yoto-bls-native-'));
  mkdirSync(join(dir, 'train'));
  mkdirSync(join(dir, 'eval'));
  for (let i = 0; i < 3; i++) {
    const img = syntheticImage(80 + 8 * i, 72, i + 1);
    writeFileSync(join(dir, 'train', `img${i}.png`), await encodePng(img.data, img.width, img.height, 3));
  }
  const ev = syntheticImage(64, 64, 9);
  writeFileSync(join(dir, 'eval', 'a.png'), await encodePng(ev.data, ev.width, ev.height, 3));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const task = (config: object, cropSize: number) => new BlsFactorizedTask({ config, cropSize, trainFolders: [join(dir, 'train')], evalFolder: join(dir, 'eval') });

describe.skipIf(!dnnl.ok)(`bls on wasm+dnnl${skipWhy}`, () => {
  it('loss and gradient of the benchmark model match plain wasm within float32 tolerance, with every conv pass and GDN’s element-wise work native', async () => {
    // The benchmark model (N = 64, M = 96: four convs, four transposed convs, GDN, the entropy
    // model), on a smaller crop and batch than the benchmark's to keep plain wasm quick.
    await initBackend('wasm');
    const t = task({}, 64);
    await t.prepare();
    const space = t.defaultSpace();
    const model = t.buildModel({ space, conditioned: true, seed: 3 });
    const n = 2;
    const batch = t.trainBatch({ step: 0, batchSize: n, seed: 4 });
    const lambdas = [0.003, 1, 0.1, 1];
    const lam = tf.tensor2d(lambdas, [n, t.terms.length]);
    const cond = model.conditionFor([lambdas[0], lambdas[2]])!;
    // Float32 tolerance: the loss within 1e-5 relative, every parameter's gradient within 1e-4 of
    // the plain one in relative L2 norm (sums run in another order), as the vae's check.
    const d = await nativeAgainstPlain(() => objectiveGradients(t, model, batch, lam, cond));
    // The convolutions, and GDN's element-wise work and sums (the first GDN's 2×32×32×64 values are
    // above the element-wise kernels' 16 Ki threshold).
    for (const k of ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'Square', 'Rsqrt', 'Sqrt', 'Multiply', 'Add', 'Sum']) expect(d.nativeCalls[k], k).toBeGreaterThan(0);
    expect(d.loss).toBeLessThan(1e-5);
    for (const [name, dist] of Object.entries(d.grads)) expect(dist, `${name} (NaN: no gradient)`).toBeLessThan(1e-4);
    tf.dispose([lam, cond, ...Object.values(batch.tensors)]);
    model.params.dispose();
  });

  it('half + checkpoint + restart + half ends bit for bit where an uninterrupted run does, on 2 threads', async () => {
    // oneDNN's results depend on the thread count (it splits reductions by thread), never on timing:
    // with the same count, the same calls give the same bits. Two threads, as a run alone on the
    // 2-core machine gets (YOTO_THREADS is read when the native kernels are switched on).
    const saved = process.env.YOTO_THREADS;
    process.env.YOTO_THREADS = '2';
    await initBackend('wasm');
    await initBackend('wasm+dnnl').finally(() => (saved === undefined ? delete process.env.YOTO_THREADS : (process.env.YOTO_THREADS = saved)));
    const cfg: TrainConfig = { mode: 'yoto', steps: 6, batchSize: 2, seed: 5, optimizer: { lr: 1e-3 }, logEvery: 1 };
    const weights = (m: { params: { entries(): [string, tf.Variable][] } }) => Object.fromEntries(m.params.entries().map(([k, v]) => [k, v.dataSync().slice()]));
    const sink = new MemorySink();
    const straight = await train(task(TINY, 32), { ...cfg, checkpoint: { dir: join(dir, 'straight'), every: 100 } }, { sink });
    expect(straight.status).toBe('completed');
    // The run's record names the kernels and threads it ran on.
    expect(sink.params).toMatchObject({ backend: 'wasm+dnnl', threads: 2 });

    const ckptDir = join(dir, 'resumed');
    const controller = new AbortController();
    const first = await train(task(TINY, 32), { ...cfg, checkpoint: { dir: ckptDir, every: 100 } }, { signal: controller.signal, onProgress: (p) => p.step === 3 && controller.abort() });
    expect(first).toMatchObject({ status: 'aborted', step: 3 });
    first.model.params.dispose();
    const second = await train(task(TINY, 32), { ...cfg, checkpoint: { dir: ckptDir, every: 100 }, resume: true });
    expect(second).toMatchObject({ status: 'completed', step: 6, resumedFrom: 3 });
    const a = weights(straight.model as never);
    const b = weights(second.model as never);
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const k of Object.keys(a)) expect(b[k], k).toEqual(a[k]);
    const [ca, cb] = await Promise.all([readCheckpoint(checkpointPath(join(dir, 'straight'))), readCheckpoint(checkpointPath(ckptDir))]);
    expect(cb.adam).toEqual(ca.adam);
    straight.model.params.dispose();
    second.model.params.dispose();
  });
});
