import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@yoto/core';
import { nativeAgainstPlain, objectiveGradients } from '@yoto/core/testing';
import { loadAddon } from '@yoto/tfjs-dnnl';
import { describe, expect, it } from 'vitest';
import { BENCHMARK_VAE } from './config.js';
import { createVaeTask } from './task.js';

const dnnl = loadAddon();

/*
 * The whole benchmark VAE's loss and gradient with oneDNN's conv kernels (wasm+dnnl) against plain
 * wasm, same weights and batch. Float32 tolerance: every parameter's gradient within 1e-4 of the
 * plain one in relative L2 norm, the loss within 1e-5 relative (sums run in another order).
 */
describe.skipIf(!dnnl.ok)(`vae gradient on wasm+dnnl${dnnl.ok ? '' : ` (skipped: ${dnnl.why})`}`, () => {
  it('matches plain wasm within float32 tolerance, with every conv pass run natively', async () => {
    await initBackend('wasm');
    const task = createVaeTask({ sharedHidden: false });
    const space = task.defaultSpace();
    const model = task.buildModel({ space, conditioned: true, seed: 0 });
    const n = 32;
    const rng = new Rng(7);
    const x = tf.tensor4d(Float32Array.from({ length: n * 784 }, () => (rng.uniform() > 0.5 ? 1 : 0)), [n, 28, 28, 1]);
    const noise = tf.tensor2d(Float32Array.from({ length: n * BENCHMARK_VAE.latent }, () => rng.normal()), [n, BENCHMARK_VAE.latent]);
    const lambdas = space.sample(n, rng);
    const lam = tf.tensor2d(lambdas, [n, task.terms.length]);
    const cond = space.condition(lambdas, n);
    const batch = { size: n, tensors: { x, noise } };
    const d = await nativeAgainstPlain(() => objectiveGradients(task, model, batch, lam, cond));
    for (const k of ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter']) expect(d.nativeCalls[k], k).toBeGreaterThan(0);
    expect(d.loss).toBeLessThan(1e-5);
    for (const [name, dist] of Object.entries(d.grads)) expect(dist, `${name} (NaN: no gradient)`).toBeLessThan(1e-4);
    tf.dispose([x, noise, lam, cond]);
    model.params.dispose();
  });
});
