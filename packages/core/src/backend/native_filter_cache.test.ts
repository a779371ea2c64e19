import * as tf from '@tensorflow/tfjs';
import { callCounts, loadAddon } from '@yoto/tfjs-dnnl';
import { afterEach, describe, expect, it } from 'vitest';
import { dense, t4, worstError, type Shape4 } from '@yoto/tfjs-kernels/testing';
import { initBackend } from './init.js';

/*
 * The addon keeps filters reordered into oneDNN's layout across calls (native/filter_cache.h), keyed
 * by a token per tfjs data id. These tests make a stale copy as likely as they can — a variable
 * assigned in place, an optimizer step, a disposed filter whose heap memory is reused by another one
 * of the same shape — and check every result against the plain wasm kernels (tolerance as in
 * native_kernels.test.ts), and that an unchanged filter is not reordered again.
 */
const TOLERANCE = 2e-5;
const dnnl = loadAddon();
const skipWhy = dnnl.ok ? '' : ` (skipped: ${dnnl.why})`;
const DEFAULT_CAPACITY = 128 * 2 ** 20;

const X: Shape4 = [2, 12, 12, 16];
const F: Shape4 = [3, 3, 16, 24];
const conv = (x: tf.Tensor, w: tf.Tensor) => tf.tidy(() => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same').dataSync().slice());
/** The same call on plain wasm (the native kernels hand every call over while disabled). */
async function onWasm<T>(f: () => T): Promise<T> {
  await initBackend('wasm');
  try {
    return f();
  } finally {
    await initBackend('wasm+dnnl');
  }
}
const stats = () => (dnnl.ok ? dnnl.addon.filterCacheStats() : { hits: 0, misses: 0, entries: 0, bytes: 0, capacity: 0 });
const heapOffset = (t: tf.Tensor) => (tf.backend() as unknown as { dataIdMap: { get(id: object): { memoryOffset: number } } }).dataIdMap.get(t.dataId).memoryOffset;

describe.skipIf(!dnnl.ok)(`reordered-filter cache of the native kernels${skipWhy}`, () => {
  afterEach(() => {
    if (dnnl.ok) dnnl.addon.setFilterCacheBytes(DEFAULT_CAPACITY);
  });

  it('reorders an unchanged filter once, and creates one primitive per shape', async () => {
    await initBackend('wasm+dnnl');
    const x = t4(dense(X, 1));
    const w = t4(dense(F, 2));
    const want = await onWasm(() => conv(x, w));
    const s0 = stats();
    const first = conv(x, w);
    const primitives = dnnl.ok ? dnnl.addon.cacheSize() : 0;
    const again = [conv(x, w), conv(x, w)];
    const s1 = stats();
    expect(s1.misses - s0.misses, 'the first call reorders').toBe(1);
    expect(s1.hits - s0.hits, 'later calls reuse the copy').toBe(2);
    expect(dnnl.ok && dnnl.addon.cacheSize(), 'no new primitive for the same shape').toBe(primitives);
    for (const y of [first, ...again]) expect(worstError(y, want)).toBeLessThan(TOLERANCE);
    tf.dispose([x, w]);
  });

  it('a variable assigned in place gives the new result, never the old filter’s', async () => {
    await initBackend('wasm+dnnl');
    const x = t4(dense(X, 3));
    const v = tf.variable(t4(dense(F, 4)));
    const before = conv(x, v);
    const next = t4(dense(F, 5));
    v.assign(next);
    next.dispose();
    const after = conv(x, v);
    const want = await onWasm(() => conv(x, v));
    expect(worstError(after, want)).toBeLessThan(TOLERANCE);
    expect(worstError(after, before), 'the result changed').toBeGreaterThan(0.1);
    tf.dispose([x, v]);
  });

  it('an optimizer step (training) changes the next forward pass exactly as on plain wasm', async () => {
    await initBackend('wasm+dnnl');
    const x = t4(dense(X, 6));
    const v = tf.variable(t4(dense(F, 7)));
    const loss = () => tf.sum(tf.square(tf.conv2d(x as tf.Tensor4D, v as tf.Tensor4D, 1, 'same'))) as tf.Scalar;
    const opt = tf.train.sgd(1e-3);
    const y0 = conv(x, v);
    for (let i = 0; i < 3; i++) opt.minimize(loss, true)?.dispose();
    const y3 = conv(x, v);
    const want = await onWasm(() => conv(x, v));
    // The step's own gradient ran natively (Conv2D forward and backprops), the variable's new value
    // went through the same token scheme: the forward pass must see it.
    expect(worstError(y3, want)).toBeLessThan(TOLERANCE);
    expect(worstError(y3, y0)).toBeGreaterThan(1e-3);
    opt.dispose();
    tf.dispose([x, v]);
  });

  it('a disposed filter’s heap memory reused by another filter of the same shape is not mistaken for it', async () => {
    await initBackend('wasm+dnnl');
    const x = t4(dense(X, 8));
    const w1 = t4(dense(F, 9));
    conv(x, w1);
    const offset = heapOffset(w1);
    w1.dispose();
    // The allocator hands the freed block to the next tensor of the same size.
    const w2 = t4(dense(F, 10));
    expect(heapOffset(w2), 'same heap memory as the disposed filter').toBe(offset);
    const got = conv(x, w2);
    const want = await onWasm(() => conv(x, w2));
    expect(worstError(got, want)).toBeLessThan(TOLERANCE);
    tf.dispose([x, w2]);
  });

  it('the frozen filter of a depthwise input gradient (the loss network’s backward pass) is reordered once', async () => {
    await initBackend('wasm+dnnl');
    const x = t4(dense([2, 16, 16, 32], 11));
    const w = t4(dense([3, 3, 32, 1], 12));
    const dx = () => tf.tidy(() => tf.grad((a: tf.Tensor) => tf.sum(tf.square(tf.depthwiseConv2d(a as tf.Tensor4D, w as tf.Tensor4D, 2, 'same'))))(x).dataSync().slice());
    const want = await onWasm(dx);
    const s0 = stats();
    const n0 = callCounts.DepthwiseConv2dNativeBackpropInput.native;
    const got = [dx(), dx(), dx()];
    const s1 = stats();
    expect(callCounts.DepthwiseConv2dNativeBackpropInput.native - n0).toBe(3);
    // Forward and input gradient want the filter in their own layouts: one reorder each, then hits.
    expect(s1.misses - s0.misses).toBeLessThanOrEqual(2);
    expect(s1.hits - s0.hits).toBeGreaterThanOrEqual(4);
    for (const g of got) expect(worstError(g, want)).toBeLessThan(TOLERANCE);
    tf.dispose([x, w]);
  });

  it('stays correct and within its capacity when filters do not fit (0 turns it off)', async () => {
    await initBackend('wasm+dnnl');
    if (!dnnl.ok) return;
    const x = t4(dense(X, 13));
    const filters = [14, 15, 16].map((seed) => t4(dense(F, seed)));
    const want = await onWasm(() => filters.map((w) => conv(x, w)));
    const oneFilter = F.reduce((a, b) => a * b, 1) * 4;
    for (const capacity of [0, oneFilter * 2])
      for (let round = 0; round < 2; round++) {
        dnnl.addon.setFilterCacheBytes(capacity);
        filters.forEach((w, i) => expect(worstError(conv(x, w), want[i]), `capacity ${capacity}, filter ${i}`).toBeLessThan(TOLERANCE));
        const s = stats();
        expect(s.bytes).toBeLessThanOrEqual(capacity);
        if (capacity === 0) expect(s.entries).toBe(0);
      }
    tf.dispose([x, ...filters]);
  });
});
