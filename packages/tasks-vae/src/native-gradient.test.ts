import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@yoto/core';
import { callCounts, loadAddon } from '@yoto/tfjs-dnnl';
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
    const gradients = () =>
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(
          () => {
            // The trainer's objective: mean over the batch of Σ_i λ[b, i]·term_i[b].
            const terms = task.lossTerms(model, { size: n, tensors: { x, noise } }, { training: true, lambda: lam, condition: cond });
            return tf.mean(tf.sum(tf.mul(tf.stack(task.terms.map((t) => terms[t]), 1), lam), 1)) as tf.Scalar;
          },
          model.params.variables,
        );
        return { loss: value.dataSync()[0], grads: Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, g.dataSync().slice() as Float32Array])) };
      });
    const plain = gradients();
    await initBackend('wasm+dnnl');
    const before = Object.fromEntries(Object.entries(callCounts).map(([k, c]) => [k, c.native]));
    const native = gradients();
    for (const k of ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter']) expect(callCounts[k].native, k).toBeGreaterThan(before[k]);

    expect(Math.abs(native.loss - plain.loss) / Math.abs(plain.loss)).toBeLessThan(1e-5);
    expect(Object.keys(native.grads).sort()).toEqual(Object.keys(plain.grads).sort());
    for (const [name, g] of Object.entries(plain.grads)) {
      const h = native.grads[name];
      let diff = 0;
      let norm = 0;
      for (let i = 0; i < g.length; i++) {
        diff += (h[i] - g[i]) ** 2;
        norm += g[i] ** 2;
      }
      expect(norm, `${name} has a gradient`).toBeGreaterThan(0);
      expect(Math.sqrt(diff / norm), name).toBeLessThan(1e-4);
    }
    tf.dispose([x, noise, lam, cond]);
    model.params.dispose();
  });
});
