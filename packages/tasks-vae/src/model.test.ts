import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@yoto/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { BENCHMARK_VAE, type VaeModelConfig } from './config.js';
import { buildVae } from './model.js';
import { defaultVaeSpace } from './task.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const space = defaultVaeSpace();

describe('buildVae', () => {
  it('has the benchmark shapes: conv 32 → 64, dense 3136 → 32, decoder mirrored, FiLM on three blocks', () => {
    const m = buildVae(BENCHMARK_VAE, { space, conditioned: true, seed: 1 });
    const shapes = Object.fromEntries(m.params.entries().map(([n, v]) => [n, v.shape]));
    expect(shapes['encoder/conv0/kernel']).toEqual([3, 3, 1, 32]);
    expect(shapes['encoder/conv1/kernel']).toEqual([3, 3, 32, 64]);
    expect(shapes['encoder/dense/kernel']).toEqual([3136, 32]);
    expect(shapes['decoder/dense/kernel']).toEqual([16, 3136]);
    expect(shapes['decoder/convT0/kernel']).toEqual([3, 3, 32, 64]);
    expect(shapes['decoder/convT1/kernel']).toEqual([3, 3, 1, 32]);
    const heads = Object.keys(shapes).filter((n) => n.endsWith('/scale/kernel'));
    expect(heads.sort()).toEqual(['conditioning/dec0/scale/kernel', 'conditioning/enc0/scale/kernel', 'conditioning/enc1/scale/kernel']);
    expect(shapes['conditioning/enc1/shift/kernel']).toEqual([64, 64]);
    const { mean, logvar, out } = tf.tidy(() => {
      const films = m.films(tf.fill([3, 1], Math.log(2)) as tf.Tensor2D);
      const post = m.encode(tf.zeros([3, 28, 28, 1]), films);
      return { ...post, out: m.decode(post.mean, films) };
    });
    expect(mean.shape).toEqual([3, 16]);
    expect(logvar.shape).toEqual([3, 16]);
    expect(out.shape).toEqual([3, 28, 28, 1]);
    tf.dispose([mean, logvar, out]);
    m.dispose();
  });

  it('a baseline has the same backbone and initial weights, without the conditioning network', () => {
    const yoto = buildVae(BENCHMARK_VAE, { space, conditioned: true, seed: 1 });
    const base = buildVae(BENCHMARK_VAE, { space, conditioned: false, seed: 1 });
    const backbone = yoto.params.entries().filter(([n]) => !n.startsWith('conditioning/'));
    expect(base.params.entries().map(([n]) => n)).toEqual(backbone.map(([n]) => n));
    // Same seed, same definition order: identical initial backbone, so comparisons start level.
    for (const [[, a], [, b]] of backbone.map((e, i) => [e, base.params.entries()[i]]))
      expect(tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0])).toBe(0);
    expect(base.films(null)).toBeNull();
    expect(() => yoto.films(null)).toThrow(/conditioned \(YOTO\): it needs a condition/);
    yoto.dispose();
    base.dispose();
  });

  it('the condition changes every conditioned block: outputs differ across β', () => {
    const m = buildVae({ ...BENCHMARK_VAE, channels: [4, 8], latent: 2 }, { space, conditioned: true, seed: 2 });
    const x = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
    const run = (beta: number): { mean: number[]; img: number[] } =>
      tf.tidy(() => {
        const films = m.films(tf.fill([2, 1], Math.log(beta)) as tf.Tensor2D);
        const post = m.encode(x, films);
        return { mean: [...post.mean.dataSync()], img: [...m.decode(tf.zeros([2, 2]), films).dataSync()] };
      });
    const a = run(1 / 8);
    const b = run(64);
    expect(a.mean).not.toEqual(b.mean); // encoder FiLM
    expect(a.img).not.toEqual(b.img); // decoder FiLM (same z)
    x.dispose();
    m.dispose();
  });

  it('supports other depths, widths and colour images', () => {
    const cfg: VaeModelConfig = { ...BENCHMARK_VAE, height: 32, width: 16, imageChannels: 3, channels: [4, 6, 8], latent: 5, likelihood: 'gaussian' };
    const m = buildVae(cfg, { space, conditioned: true, seed: 4 });
    const out = tf.tidy(() => {
      const films = m.films(tf.zeros([2, 1]) as tf.Tensor2D);
      return m.decode(m.encode(tf.zeros([2, 32, 16, 3]), films).mean, films);
    });
    expect(out.shape).toEqual([2, 32, 16, 3]);
    out.dispose();
    expect(m.params.entries().map(([n]) => n).filter((n) => n.endsWith('/scale/kernel'))).toHaveLength(5);
    m.dispose();
  });

  it('rejects invalid configs with the field named', () => {
    const bad = (c: Partial<VaeModelConfig>): (() => unknown) => () => buildVae({ ...BENCHMARK_VAE, ...c }, { space, conditioned: false, seed: 0 });
    expect(bad({ height: 30 })).toThrow('VAE config: 2 stride-2 blocks need height and width divisible by 4, got 30×28');
    expect(bad({ latent: 0 })).toThrow(/latent must be an integer ≥ 1, got 0/);
    expect(bad({ channels: [] })).toThrow(/channels must be a non-empty array/);
    expect(bad({ likelihood: 'poisson' as never })).toThrow(/likelihood must be 'bernoulli' or 'gaussian'/);
  });
});
