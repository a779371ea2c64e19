import * as tf from '@tensorflow/tfjs';
import { callCounts, loadAddon } from '@yoto/tfjs-dnnl';
import { describe, expect, it } from 'vitest';
import { convCaseLabel, convCaseSpec, dense, naiveConv2d, naiveDepthwiseBackpropFilter, naiveDepthwiseBackpropInput, relativeL2, runKernel, t4, worstError, type ConvCase } from '@yoto/tfjs-kernels/testing';
import { initBackend } from './init.js';

/*
 * oneDNN's depthwise kernels (wasm+dnnl) against the plain wasm kernels (tfjs's DepthwiseConv2dNative
 * and FusedDepthwiseConv2D, this project's backprop kernels) and the naive references. Tolerance as
 * in native_kernels.test.ts: |native − reference| / (1 + |reference|) < 2e-5 elementwise (a depthwise
 * output sums at most fh·fw products; its filter gradient sums batch·outH·outW of them).
 */
const TOLERANCE = 2e-5;
const dnnl = loadAddon();
const skipWhy = dnnl.ok ? '' : ` (skipped: ${dnnl.why})`;

/** f: [fh, fw, channels, multiplier] */
type Case = ConvCase;
// Strides 1–3, dilation, every padding form, multipliers 1–3, batch 1, one channel, non-square
// kernels and strides, and MobileNet's own forms (3×3, stride 1 'same', stride 2 'same' on even sizes).
const CASES: Case[] = [
  { x: [1, 7, 5, 1], f: [3, 3, 1, 1], strides: [1, 1], dilations: [1, 1], pad: 'same' },
  { x: [2, 9, 8, 3], f: [5, 3, 3, 2], strides: [2, 2], dilations: [1, 1], pad: 'same' },
  { x: [1, 11, 10, 5], f: [3, 2, 5, 3], strides: [3, 3], dilations: [1, 1], pad: 'valid' },
  { x: [2, 8, 9, 16], f: [3, 3, 16, 1], strides: [3, 2], dilations: [1, 1], pad: [[0, 0], [2, 0], [1, 3], [0, 0]] },
  { x: [1, 12, 7, 2], f: [5, 5, 2, 1], strides: [2, 2], dilations: [1, 1], pad: 2 },
  { x: [2, 10, 9, 3], f: [3, 2, 3, 2], strides: [1, 1], dilations: [2, 3], pad: 'same' },
  { x: [1, 13, 12, 8], f: [3, 3, 8, 1], strides: [1, 1], dilations: [2, 2], pad: 'valid' },
  { x: [4, 16, 16, 32], f: [3, 3, 32, 1], strides: [1, 1], dilations: [1, 1], pad: 'same' },
  { x: [4, 16, 16, 64], f: [3, 3, 64, 1], strides: [2, 2], dilations: [1, 1], pad: 'same' },
];
const label = convCaseLabel;
const spec = convCaseSpec;

interface Pass {
  name: string;
  run: () => tf.Tensor;
  naive: () => Float32Array;
}

/** The three kernels of one case, as tfjs calls them (attributes as its ops and gradient pass them). */
function passes(c: Case, seed: number): Pass[] {
  const x = dense(c.x, seed);
  const w = dense(c.f, seed + 1);
  const y = naiveConv2d(x, w, spec(c), true);
  const dy = dense(y.shape, seed + 2);
  const attrs = { strides: c.strides, pad: c.pad, dilations: c.dilations, dataFormat: 'NHWC' };
  return [
    { name: 'DepthwiseConv2dNative', run: () => runKernel('DepthwiseConv2dNative', { x: t4(x), filter: t4(w) }, attrs), naive: () => y.data },
    { name: 'DepthwiseConv2dNativeBackpropInput', run: () => runKernel('DepthwiseConv2dNativeBackpropInput', { dy: t4(dy), filter: t4(w) }, { ...attrs, inputShape: c.x }), naive: () => naiveDepthwiseBackpropInput(c.x, dy, w, spec(c)).data },
    { name: 'DepthwiseConv2dNativeBackpropFilter', run: () => runKernel('DepthwiseConv2dNativeBackpropFilter', { x: t4(x), dy: t4(dy) }, { ...attrs, filterShape: c.f }), naive: () => naiveDepthwiseBackpropFilter(x, dy, c.f, spec(c)).data },
  ];
}

const ACTIVATIONS = ['linear', 'relu', 'relu6', 'leakyrelu', 'sigmoid', 'elu'] as const;
function fused(c: Case, activation: (typeof ACTIVATIONS)[number], withBias: boolean): Float32Array {
  return tf.tidy(() =>
    tf.fused
      .depthwiseConv2d({
        x: t4(dense(c.x, 40)) as tf.Tensor4D,
        filter: t4(dense(c.f, 41)) as tf.Tensor4D,
        strides: c.strides,
        pad: c.pad as never,
        dilations: c.dilations,
        bias: withBias ? tf.tensor1d(dense([1, 1, 1, c.f[2] * c.f[3]], 42).data.map((v) => 3 * v)) : undefined,
        activation,
        leakyreluAlpha: 0.15,
      })
      .dataSync()
      .slice() as Float32Array,
  );
}

describe.skipIf(!dnnl.ok)(`oneDNN depthwise kernels under wasm (wasm+dnnl)${skipWhy}`, () => {
  it('every pass matches the plain wasm kernel and the naive reference, and runs natively', async () => {
    await initBackend('wasm');
    const onWasm = CASES.map((c, i) => passes(c, 10 * i).map((p) => tf.tidy(() => p.run().dataSync().slice())));
    await initBackend('wasm+dnnl');
    CASES.forEach((c, i) =>
      passes(c, 10 * i).forEach((p, j) => {
        const before = callCounts[p.name].native;
        const got = tf.tidy(() => p.run().dataSync().slice());
        expect(callCounts[p.name].native, `${p.name} ran natively: ${label(c)}`).toBe(before + 1);
        expect(worstError(got, onWasm[i][j]), `${p.name} vs wasm ${label(c)}`).toBeLessThan(TOLERANCE);
        expect(worstError(got, p.naive()), `${p.name} vs naive ${label(c)}`).toBeLessThan(TOLERANCE);
      }),
    );
  });

  it('FusedDepthwiseConv2D (bias and each activation) matches the plain wasm kernel', async () => {
    const fusedCases = [CASES[0], CASES[1], CASES[3], CASES[5], CASES[8]];
    const combos = fusedCases.flatMap((c) => ACTIVATIONS.flatMap((a) => [true, false].map((b) => ({ c, a, b }))));
    await initBackend('wasm');
    const want = combos.map(({ c, a, b }) => fused(c, a, b));
    await initBackend('wasm+dnnl');
    const before = callCounts.FusedDepthwiseConv2D.native;
    combos.forEach(({ c, a, b }, i) => expect(worstError(fused(c, a, b), want[i]), `${a} bias ${b} ${label(c)}`).toBeLessThan(TOLERANCE));
    expect(callCounts.FusedDepthwiseConv2D.native - before).toBe(combos.length);
  });

  it('keeps one primitive per exact fusion: leaky-ReLU slopes equal to six decimals (1e-7, 3e-7) each get their own', async () => {
    // The addon caches primitives by pass, layout, fusion and geometry; the slope is part of the
    // key bit for bit (a key that printed it to six decimals served 3e-7 with the 1e-7 primitive).
    await initBackend('wasm+dnnl');
    const c = CASES[8];
    const x = dense(c.x, 80).data.map((v) => 1e7 * v); // pre-activations of order 1e7, so alpha · them of order 1
    const w = dense(c.f, 81);
    const pre = naiveConv2d({ shape: c.x, data: x }, w, spec(c), true).data;
    const before = callCounts.FusedDepthwiseConv2D.native;
    for (const alpha of [1e-7, 3e-7]) {
      const got = tf.tidy(() =>
        tf.fused
          .depthwiseConv2d({ x: tf.tensor4d(x, c.x as [number, number, number, number]), filter: t4(w) as tf.Tensor4D, strides: c.strides, pad: c.pad as never, activation: 'leakyrelu', leakyreluAlpha: alpha })
          .dataSync()
          .slice(),
      );
      const want = pre.map((v) => (v < 0 ? Math.fround(alpha) * v : v));
      expect(pre.some((v) => v < -1e6)).toBe(true);
      // |got − want| / (1 + |want|) as everywhere here; the negatives are of order 1, the positives 1e7.
      expect(worstError(got, want), `alpha ${alpha}`).toBeLessThan(TOLERANCE);
    }
    expect(callCounts.FusedDepthwiseConv2D.native - before).toBe(2);
  });

  it('gradients of a MobileNet block (depthwise, batch norm, relu6, pointwise) through tf.grads match plain wasm', async () => {
    // The style task's loss network differentiates with respect to its input only (frozen weights);
    // training a depthwise layer needs the filter gradient too: both are checked.
    const x = dense([2, 16, 16, 8], 90);
    const wd = dense([3, 3, 8, 1], 91);
    const wp = dense([1, 1, 8, 16], 92);
    const scale = dense([1, 1, 1, 8], 93);
    const grads = () =>
      tf.tidy(() => {
        const f = (a: tf.Tensor, b: tf.Tensor) => {
          const h = tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same');
          const bn = tf.add(tf.mul(h, tf.tensor1d(scale.data)), 0.1);
          return tf.sum(tf.square(tf.conv2d(tf.relu6(bn) as tf.Tensor4D, t4(wp) as tf.Tensor4D, 1, 'same')));
        };
        return tf.grads(f)([t4(x), t4(wd)]).map((g) => g.dataSync().slice());
      });
    await initBackend('wasm');
    const want = grads();
    await initBackend('wasm+dnnl');
    const before = callCounts.DepthwiseConv2dNativeBackpropInput.native;
    const got = grads();
    expect(callCounts.DepthwiseConv2dNativeBackpropInput.native).toBe(before + 1);
    // Relative L2 error per gradient (sums of many products in another order).
    got.forEach((g, k) => {
      expect(want[k].some((v) => v !== 0)).toBe(true);
      expect(relativeL2(g, want[k]), ['dx', 'dW'][k]).toBeLessThan(1e-5);
    });
  });

  it('lays every tensor on the wasm heap on a cache line, the depthwise kernels’ outputs included (oneDNN’s vector loads)', async () => {
    await initBackend('wasm+dnnl');
    const backend = tf.backend() as unknown as { getMemoryOffset(dataId: object): number };
    const c = CASES[7];
    const x = dense(c.x, 70);
    const w = dense(c.f, 71);
    const want = naiveConv2d(x, w, spec(c), true).data;
    // Odd sizes in between, so that an 8-byte-aligned allocator would leave later tensors off a line.
    const odd = [1, 3, 5, 7, 9].map((n) => tf.zeros([n]));
    const [xt, wt] = [t4(x), t4(w)];
    const y = tf.depthwiseConv2d(xt as tf.Tensor4D, wt as tf.Tensor4D, 1, 'same');
    const misaligned = [...odd, xt, wt, y].map((t) => backend.getMemoryOffset(t.dataId) % 64).filter((r) => r !== 0);
    expect(misaligned).toEqual([]);
    expect(worstError(y.dataSync(), want)).toBeLessThan(TOLERANCE);
    tf.dispose([...odd, xt, wt, y]);
    // Disposed tensors' memory goes back to the heap: the same allocations again leave the heap as it was.
    const heapBytes = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.byteLength;
    const size = heapBytes();
    for (let i = 0; i < 200; i++) tf.dispose(tf.tidy(() => tf.depthwiseConv2d(t4(x) as tf.Tensor4D, t4(w) as tf.Tensor4D, 1, 'same')));
    expect(heapBytes()).toBe(size);
  });

  it('hands unsupported forms to the wasm kernels: a rounding mode, prelu', async () => {
    await initBackend('wasm+dnnl');
    const c = CASES[1];
    const x = dense(c.x, 60);
    const w = dense(c.f, 61);
    const want = naiveConv2d(x, w, { strides: [1, 1], dilations: [1, 1], pad: 'valid' }, true).data;
    const fallbackBefore = callCounts.DepthwiseConv2dNative.fallback;
    const rounded = tf.tidy(() => runKernel('DepthwiseConv2dNative', { x: t4(x), filter: t4(w) }, { strides: 1, pad: 'valid', dilations: 1, dataFormat: 'NHWC', dimRoundingMode: 'floor' }).dataSync().slice());
    expect(callCounts.DepthwiseConv2dNative.fallback).toBe(fallbackBefore + 1);
    expect(worstError(rounded, want)).toBeLessThan(TOLERANCE);

    const fusedBefore = callCounts.FusedDepthwiseConv2D.fallback;
    const channels = c.f[2] * c.f[3];
    const prelu = tf.tidy(() =>
      tf.fused
        .depthwiseConv2d({ x: t4(x) as tf.Tensor4D, filter: t4(w) as tf.Tensor4D, strides: 1, pad: 'valid', activation: 'prelu', preluActivationWeights: tf.fill([channels], 0.5) })
        .dataSync()
        .slice(),
    );
    expect(callCounts.FusedDepthwiseConv2D.fallback).toBe(fusedBefore + 1);
    expect(worstError(prelu, want.map((v) => (v < 0 ? 0.5 * v : v)))).toBeLessThan(TOLERANCE);
  });
});
