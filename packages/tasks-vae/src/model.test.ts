import * as tf from '@tensorflow/tfjs';
import { film, initBackend } from '@yoto/core';
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

  it('conditioned blocks equal relu(FiLM(conv + bias)) with the bias folded into the shift', () => {
    const cfg: VaeModelConfig = { ...BENCHMARK_VAE, channels: [4, 6], latent: 3 };
    const m = buildVae(cfg, { space, conditioned: true, seed: 5 });
    const vars = new Map(m.params.entries());
    // Biases start at zero, where folding is trivially exact: give them values first.
    let seed = 10;
    for (const [name, v] of vars) if (name.endsWith('/bias')) v.assign(tf.randomNormal(v.shape, 0, 0.5, 'float32', seed++));
    const x = tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 6) as tf.Tensor4D;
    const z = tf.randomNormal([3, 3], 0, 1, 'float32', 7) as tf.Tensor2D;
    const worst = tf.tidy(() => {
      const films = m.films(tf.tensor2d([[-2], [0.5], [4]]))!;
      const w = (n: string) => vars.get(n)! as tf.Tensor;
      const block = (y: tf.Tensor4D, layer: string, f: string) => tf.relu(film(tf.add(y, w(`${layer}/bias`)), films[f])) as tf.Tensor4D;
      let h = block(tf.conv2d(x, w('encoder/conv0/kernel') as tf.Tensor4D, 2, 'same'), 'encoder/conv0', 'enc0');
      h = block(tf.conv2d(h, w('encoder/conv1/kernel') as tf.Tensor4D, 2, 'same'), 'encoder/conv1', 'enc1');
      const stats = tf.add(tf.matMul(tf.reshape(h, [3, 7 * 7 * 6]), w('encoder/dense/kernel')), w('encoder/dense/bias'));
      let d = tf.reshape(tf.relu(tf.add(tf.matMul(z, w('decoder/dense/kernel')), w('decoder/dense/bias'))), [3, 7, 7, 6]) as tf.Tensor4D;
      d = block(tf.conv2dTranspose(d, w('decoder/convT0/kernel') as tf.Tensor4D, [3, 14, 14, 4], 2, 'same'), 'decoder/convT0', 'dec0');
      const out = tf.add(tf.conv2dTranspose(d, w('decoder/convT1/kernel') as tf.Tensor4D, [3, 28, 28, 1], 2, 'same'), w('decoder/convT1/bias'));
      const post = m.encode(x, films);
      const diff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.div(tf.abs(tf.sub(a, b)), tf.add(tf.abs(b), 1))).dataSync()[0];
      return Math.max(diff(tf.concat([post.mean, post.logvar], 1), stats), diff(m.decode(z, films), out));
    });
    expect(worst).toBeLessThan(1e-5);
    expect(worst).toBeGreaterThanOrEqual(0);
    tf.dispose([x, z]);
    m.dispose();
  });

  it('filmDense FiLMs the posterior statistics per latent and the decoder dense layer per channel', () => {
    const cfg: VaeModelConfig = { ...BENCHMARK_VAE, channels: [4, 6], latent: 3, filmDense: true };
    const m = buildVae(cfg, { space, conditioned: true, seed: 8 });
    const base = buildVae(cfg, { space, conditioned: false, seed: 8 });
    const vars = new Map(m.params.entries());
    expect(vars.get('conditioning/enc_dense/scale/kernel')!.shape).toEqual([64, 6]); // mean and logvar of 3 latents
    expect(vars.get('conditioning/dec_dense/shift/kernel')!.shape).toEqual([64, 6]); // channels of the top block
    // Zero every head, so all FiLMs are the identity; then give the dense heads known constant biases.
    for (const [name, v] of vars) if (name.startsWith('conditioning/') && !name.startsWith('conditioning/hidden')) v.assign(tf.zerosLike(v));
    const encShift = [1, -2, 3, 0.5, -1, 2];
    const decScale = [-3, 1, 2, 0, 4, -5];
    vars.get('conditioning/enc_dense/shift/bias')!.assign(tf.tensor1d(encShift));
    vars.get('conditioning/dec_dense/scale/bias')!.assign(tf.tensor1d(decScale));
    const mult = cfg.filmMultiplier;
    const x = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 9) as tf.Tensor4D;
    const z = tf.randomNormal([2, 3], 0, 1, 'float32', 10) as tf.Tensor2D;
    const worst = tf.tidy(() => {
      const films = m.films(tf.tensor2d([[-1], [3]]));
      const post = m.encode(x, films);
      const ref = base.encode(x, null);
      // Expected: stats + m·shift on [mean | logvar]; the decoder's first layer scaled by 1 + m·scale per channel.
      const wantStats = tf.add(tf.concat([ref.mean, ref.logvar], 1), tf.mul(tf.tensor1d(encShift), mult));
      const bv = new Map(base.params.entries());
      const dense = tf.reshape(tf.add(tf.matMul(z, bv.get('decoder/dense/kernel')!), bv.get('decoder/dense/bias')!), [2, 7, 7, 6]);
      const scaled = tf.relu(tf.mul(dense, tf.add(tf.mul(tf.tensor1d(decScale), mult), 1))) as tf.Tensor4D;
      const w = (n: string) => bv.get(n)! as tf.Tensor;
      let d = tf.relu(tf.add(tf.conv2dTranspose(scaled, w('decoder/convT0/kernel') as tf.Tensor4D, [2, 14, 14, 4], 2, 'same'), w('decoder/convT0/bias'))) as tf.Tensor4D;
      d = tf.add(tf.conv2dTranspose(d, w('decoder/convT1/kernel') as tf.Tensor4D, [2, 28, 28, 1], 2, 'same'), w('decoder/convT1/bias')) as tf.Tensor4D;
      const diff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.div(tf.abs(tf.sub(a, b)), tf.add(tf.abs(b), 1))).dataSync()[0];
      // The baseline ignores filmDense (no conditioning), and the conditioned decoder differs from it.
      const plain = base.decode(z, null);
      return { enc: diff(tf.concat([post.mean, post.logvar], 1), wantStats), dec: diff(m.decode(z, films), d), moved: diff(plain, d) };
    });
    expect(worst.enc).toBeLessThan(1e-5);
    expect(worst.dec).toBeLessThan(1e-5);
    expect(worst.moved).toBeGreaterThan(1e-3);
    tf.dispose([x, z]);
    m.dispose();
    base.dispose();
  });

  it('filmDense: absent keeps the benchmark shape; a non-boolean is rejected', () => {
    const m = buildVae(BENCHMARK_VAE, { space, conditioned: true, seed: 1 });
    expect(m.params.entries().some(([n]) => n.includes('_dense/'))).toBe(false);
    m.dispose();
    expect(() => buildVae({ ...BENCHMARK_VAE, filmDense: 'yes' as never }, { space, conditioned: true, seed: 1 })).toThrow(/filmDense must be true or false, got "yes"/);
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
