import * as tf from '@tensorflow/tfjs';
import { callCounts, loadAddon } from '@yoto/tfjs-dnnl';
import { describe, expect, it } from 'vitest';
import { convCaseLabel, convCaseSpec, dense, naiveConv2d, naiveConv2dBackpropFilter, naiveConv2dBackpropInput, runKernel, t4, worstError, type ConvCase } from '@yoto/tfjs-kernels/testing';
import { initBackend } from './init.js';

/*
 * oneDNN's kernels (wasm+dnnl) against tfjs's cpu backend and the naive references. Tolerance:
 * |native − reference| / (1 + |reference|) < 2e-5 elementwise, i.e. float32 rounding of sums of up to
 * a few hundred products of values in [-1, 1), summed in another order.
 */
const TOLERANCE = 2e-5;
const dnnl = loadAddon();
const skipWhy = dnnl.ok ? '' : ` (skipped: ${dnnl.why})`;

type Case = ConvCase;
// Strides 1–3, dilation, every padding form, batch 1, one channel, non-square inputs, filters and strides.
// Each layout of src/geometry.ts in @yoto/tfjs-dnnl is taken: fewer than 8 input channels (input
// gradient plain, filter gradient NHWC) and 8 or more (input gradient NHWC); filter gradients NHWC
// up to 64 input channels × stride and blocked above.
const CASES: Case[] = [
  { x: [1, 7, 5, 1], f: [3, 3, 1, 4], strides: [1, 1], dilations: [1, 1], pad: 'same' },
  { x: [2, 9, 8, 3], f: [5, 3, 3, 6], strides: [2, 2], dilations: [1, 1], pad: 'same' },
  { x: [1, 11, 10, 5], f: [3, 2, 5, 8], strides: [3, 3], dilations: [1, 1], pad: 'valid' },
  { x: [2, 8, 9, 16], f: [3, 3, 16, 9], strides: [3, 2], dilations: [1, 1], pad: [[0, 0], [2, 0], [1, 3], [0, 0]] },
  { x: [1, 12, 7, 2], f: [5, 5, 2, 1], strides: [2, 2], dilations: [1, 1], pad: 2 },
  { x: [2, 10, 9, 3], f: [3, 2, 3, 7], strides: [1, 1], dilations: [2, 3], pad: 'same' },
  { x: [1, 13, 12, 8], f: [3, 3, 8, 16], strides: [1, 1], dilations: [2, 2], pad: 'valid' },
  // vae c2's form (32 → 64, 3×3, stride 2: filter gradient NHWC, 32 × 2).
  { x: [4, 14, 14, 32], f: [3, 3, 32, 64], strides: [2, 2], dilations: [1, 1], pad: 'same' },
  // The probe's form (64 → 64, 5×5, stride 1: filter gradient NHWC, 64 × 1) and bls a2's (the same at
  // stride 2: blocked, 64 × 2), on small odd-sized inputs.
  { x: [2, 11, 13, 64], f: [5, 5, 64, 64], strides: [1, 1], dilations: [1, 1], pad: 'same' },
  { x: [2, 13, 11, 64], f: [5, 5, 64, 64], strides: [2, 2], dilations: [1, 1], pad: 'same' },
  // bls a1's form (3 → 64 channels, 5×5, stride 2) on a small, odd-sized input: the few-input-channel
  // passes take their own layouts (src/geometry.ts in @yoto/tfjs-dnnl: input gradient plain, filter
  // gradient NHWC), and 64 output channels fill oneDNN's vector blocks as the real layer does.
  { x: [2, 19, 17, 3], f: [5, 5, 3, 64], strides: [2, 2], dilations: [1, 1], pad: 'same' },
];
const label = convCaseLabel;
const spec = convCaseSpec;

/**
 * The three passes of one case, as tfjs kernel calls (backprops only without dilation: tfjs never asks
 * for them), each with its contraction length k (products summed per output value, at most).
 */
function passes(c: Case, seed: number): { name: string; run: () => tf.Tensor; naive: () => Float32Array; k: number }[] {
  const x = dense(c.x, seed);
  const w = dense(c.f, seed + 1);
  const y = naiveConv2d(x, w, spec(c));
  const dy = dense(y.shape, seed + 2);
  const [fh, fw, ci, co] = c.f;
  const out = [{ name: 'Conv2D', run: () => runKernel('Conv2D', { x: t4(x), filter: t4(w) }, { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dilations: c.dilations }), naive: () => y.data, k: fh * fw * ci }];
  if (c.dilations.every((d) => d === 1))
    out.push(
      { name: 'Conv2DBackpropInput', run: () => runKernel('Conv2DBackpropInput', { dy: t4(dy), filter: t4(w) }, { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x }), naive: () => naiveConv2dBackpropInput(c.x, dy, w, spec(c)).data, k: fh * fw * co },
      { name: 'Conv2DBackpropFilter', run: () => runKernel('Conv2DBackpropFilter', { x: t4(x), dy: t4(dy) }, { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.f }), naive: () => naiveConv2dBackpropFilter(x, dy, c.f, spec(c)).data, k: y.shape[0] * y.shape[1] * y.shape[2] },
    );
  return out;
}

const ACTIVATIONS = ['linear', 'relu', 'relu6', 'leakyrelu', 'sigmoid', 'elu'] as const;

/**
 * A product's tolerance grows with its contraction length k: the 2e-5 above holds for sums of a few
 * hundred products; the vae's dense layer sums 3136, whose rounding in another order reaches 2.2e-5
 * (measured), and the probe-shaped case's input gradient sums 1,600 (2.5e-5, measured). Scaled as the
 * standard deviation of the rounding error, √k.
 */
function contractionTolerance(k: number): number {
  return TOLERANCE * Math.max(1, Math.sqrt(k / 400));
}
function matMulTolerance([as, , ta]: [number[], number[], boolean, boolean]): number {
  return contractionTolerance(ta ? as.at(-2)! : as.at(-1)!);
}
function fused(c: Case, activation: (typeof ACTIVATIONS)[number], withBias: boolean): tf.Tensor {
  return tf.tidy(() =>
    tf.fused.conv2d({
      x: t4(dense(c.x, 40)) as tf.Tensor4D,
      filter: t4(dense(c.f, 41)) as tf.Tensor4D,
      strides: c.strides,
      pad: c.pad as never,
      dilations: c.dilations,
      bias: withBias ? tf.tensor1d(dense([1, 1, 1, c.f[3]], 42).data.map((v) => 3 * v)) : undefined,
      activation,
      leakyreluAlpha: 0.15,
    }),
  );
}

describe.skipIf(!dnnl.ok)(`oneDNN kernels under wasm (wasm+dnnl)${skipWhy}`, () => {
  it('every pass matches tfjs’s cpu backend and the naive reference, and runs natively', async () => {
    await initBackend('cpu');
    const onCpu = CASES.map((c, i) => passes(c, 10 * i).map((p) => tf.tidy(() => p.run().dataSync().slice())));
    const info = await initBackend('wasm+dnnl');
    expect(info).toMatchObject({ name: 'wasm+dnnl', tfBackend: 'wasm' });
    expect(info.native?.library).toMatch(/^oneDNN \d/);
    CASES.forEach((c, i) =>
      passes(c, 10 * i).forEach((p, j) => {
        const before = callCounts[p.name].native;
        const got = tf.tidy(() => p.run().dataSync().slice());
        expect(callCounts[p.name].native, `${p.name} ran natively: ${label(c)}`).toBe(before + 1);
        expect(worstError(got, onCpu[i][j]), `${p.name} vs cpu ${label(c)}`).toBeLessThan(contractionTolerance(p.k));
        expect(worstError(got, p.naive()), `${p.name} vs naive ${label(c)}`).toBeLessThan(contractionTolerance(p.k));
      }),
    );
  });

  it('FusedConv2D (bias and each activation) matches tfjs’s cpu backend', async () => {
    const fusedCases = [CASES[1], CASES[3], CASES[5]];
    const combos = fusedCases.flatMap((c) => ACTIVATIONS.flatMap((a) => [true, false].map((b) => ({ c, a, b }))));
    await initBackend('cpu');
    const want = combos.map(({ c, a, b }) => fused(c, a, b).dataSync().slice());
    await initBackend('wasm+dnnl');
    const before = callCounts.FusedConv2D.native;
    combos.forEach(({ c, a, b }, i) => expect(worstError(fused(c, a, b).dataSync(), want[i]), `${a} bias ${b} ${label(c)}`).toBeLessThan(TOLERANCE));
    expect(callCounts.FusedConv2D.native - before).toBe(combos.length);
  });

  it('BatchMatMul (transposed operands, batches, a broadcast batch of 1) matches tfjs’s cpu backend', async () => {
    // [a shape, b shape, transposeA, transposeB]: the vae's dense shapes and odd ones.
    const cases: [number[], number[], boolean, boolean][] = [
      [[64, 3136], [3136, 32], false, false],
      [[64, 3136], [64, 32], true, false],
      [[64, 32], [3136, 32], false, true],
      [[7, 5], [3, 7], true, true],
      [[3, 1, 9], [3, 9, 4], false, false],
      [[2, 3, 5, 4], [2, 3, 6, 5], true, true],
      [[1, 6, 5], [4, 5, 3], false, false],
      [[5, 6], [4, 2, 6, 3], false, false],
    ];
    const run = ([as, bs, ta, tb]: (typeof cases)[number], i: number) =>
      tf.tidy(() => tf.matMul(tf.tensor(dense([1, 1, 1, as.reduce((p, q) => p * q)], 70 + i).data, as), tf.tensor(dense([1, 1, 1, bs.reduce((p, q) => p * q)], 80 + i).data, bs), ta, tb).dataSync().slice());
    await initBackend('cpu');
    const want = cases.map(run);
    await initBackend('wasm+dnnl');
    const before = callCounts.BatchMatMul.native;
    cases.forEach((c, i) => expect(worstError(run(c, i), want[i]), JSON.stringify(c)).toBeLessThan(matMulTolerance(c)));
    expect(callCounts.BatchMatMul.native - before).toBe(cases.length);
  });

  it('_FusedMatMul (bias per output column, each activation, transposed and batched operands) matches tfjs’s cpu backend', async () => {
    // [a shape, b shape, transposeA, transposeB]: a dense layer (the vae's), the FiLM MLP's, odd ones.
    const shapes: [number[], number[], boolean, boolean][] = [
      [[64, 3136], [3136, 32], false, false],
      [[64, 2], [64, 64], true, false],
      [[7, 5], [3, 7], true, true],
      [[3, 5, 4], [3, 4, 6], false, false],
      [[1, 6, 5], [4, 3, 5], false, true],
    ];
    const combos = shapes.flatMap((c) => ACTIVATIONS.map((a) => ({ c, a })));
    const run = ({ c: [as, bs, ta, tb], a }: { c: (typeof shapes)[number]; a: string }, i: number) =>
      tf.tidy(() => {
        const n = tb ? bs.at(-2)! : bs.at(-1)!;
        const values = (shape: number[], seed: number) => tf.tensor(dense([1, 1, 1, shape.reduce((p, q) => p * q)], seed).data, shape);
        const prelu = a === 'prelu' ? tf.fill([n], 0.3) : undefined;
        const y = tf.fused.matMul({ a: values(as, 100 + i), b: values(bs, 200 + i), transposeA: ta, transposeB: tb, bias: values([n], 300 + i), activation: a as 'relu', preluActivationWeights: prelu, leakyreluAlpha: 0.15 });
        return y.dataSync().slice();
      });
    await initBackend('cpu');
    const want = combos.map((c, i) => run(c, i));
    await initBackend('wasm+dnnl');
    const before = callCounts._FusedMatMul.native;
    combos.forEach((c, i) => expect(worstError(run(c, i), want[i]), `${c.a} ${JSON.stringify(c.c)}`).toBeLessThan(matMulTolerance(c.c)));
    expect(callCounts._FusedMatMul.native - before).toBe(combos.length);
    // prelu (per-column weights, not fused by oneDNN) goes to the wasm kernels, with the same result.
    const preluCase = { c: shapes[1], a: 'prelu' };
    await initBackend('cpu');
    const wantPrelu = run(preluCase, 1);
    await initBackend('wasm+dnnl');
    const fallback = callCounts._FusedMatMul.fallback;
    expect(worstError(run(preluCase, 1), wantPrelu)).toBeLessThan(matMulTolerance(preluCase.c));
    expect(callCounts._FusedMatMul.fallback).toBe(fallback + 1);
  });

  it('works on the wasm heap as it is after the output grew it (new ArrayBuffer)', async () => {
    await initBackend('wasm+dnnl');
    const heap = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer;
    const old = heap();
    // A 1×1 conv from one channel whose output alone is larger than the whole heap now:
    // y[p, o] = x[p]·w[o] exactly (one product each), checked against that closed form.
    const co = Math.ceil(old.byteLength / 4 / 4096) + 8;
    const x = dense([1, 64, 64, 1], 50);
    const w = dense([1, 1, 1, co], 51);
    const before = callCounts.Conv2D.native;
    const [xt, wt] = [t4(x), t4(w)];
    const yt = tf.conv2d(xt as tf.Tensor4D, wt as tf.Tensor4D, 1, 'valid');
    // Read outside a tidy: tidy walks a returned typed array element by element.
    const y = yt.dataSync();
    tf.dispose([xt, wt, yt]);
    expect(callCounts.Conv2D.native).toBe(before + 1);
    expect(heap(), 'the call grew the heap').not.toBe(old);
    let wrong = 0;
    for (let p = 0; p < 4096; p++) for (let o = 0; o < co; o++) if (y[p * co + o] !== Math.fround(x.data[p] * w.data[o])) wrong++;
    expect(wrong).toBe(0);
  });

  it('hands what it does not take to the wasm kernels, and all calls back with plain wasm', async () => {
    await initBackend('wasm+dnnl');
    const c = CASES[1];
    const x = dense(c.x, 60);
    const w = dense(c.f, 61);
    const want = naiveConv2d(x, w, spec(c)).data;
    const nchw = (): Float32Array =>
      tf.tidy(() => {
        const y = runKernel('Conv2DBackpropInput', { dy: tf.transpose(t4(dense([2, 5, 4, 6], 62)), [0, 3, 1, 2]), filter: t4(w) }, { strides: 2, pad: 'same', dataFormat: 'NCHW', inputShape: [2, 3, 9, 8] });
        return tf.transpose(y, [0, 2, 3, 1]).dataSync() as Float32Array;
      });
    const fallbackBefore = callCounts.Conv2DBackpropInput.fallback;
    const got = nchw();
    expect(callCounts.Conv2DBackpropInput.fallback).toBe(fallbackBefore + 1);
    expect(worstError(got, naiveConv2dBackpropInput(c.x, dense([2, 5, 4, 6], 62), w, spec(c)).data)).toBeLessThan(TOLERANCE);

    await initBackend('wasm');
    const nativeBefore = callCounts.Conv2D.native;
    const y = tf.tidy(() => tf.conv2d(t4(x) as tf.Tensor4D, t4(w) as tf.Tensor4D, c.strides, 'same').dataSync().slice());
    expect(callCounts.Conv2D.native).toBe(nativeBefore);
    expect(worstError(y, want)).toBeLessThan(TOLERANCE);
  });
});
