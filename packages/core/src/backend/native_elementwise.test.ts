import * as tf from '@tensorflow/tfjs';
import { callCounts, loadAddon } from '@yoto/tfjs-dnnl';
import { describe, expect, it } from 'vitest';
import { initBackend } from './init.js';

/*
 * The addon's element-wise kernels and Sum (wasm+dnnl) against tfjs's cpu backend, over shapes of
 * at least 16 Ki values (smaller ones stay in wasm), odd sizes and every broadcast form. Tolerances,
 * relative to the cpu value: 0 for the correctly rounded operations (+ − · / √ and x², which the cpu
 * backend computes in double and rounds once, as float32 arithmetic does); 2.5e-7 (two float32 ulps)
 * where float32 rounds an intermediate (1/√x, (a − b)²) or libm's float functions differ from
 * JavaScript's (eˣ, ln x, tanh x, aᵇ); Sum: 1e-6 of Σ|x| (double accumulation in another order).
 */
const dnnl = loadAddon();
const skipWhy = dnnl.ok ? '' : ` (skipped: ${dnnl.why})`;

/** Values in [lo, hi), reproducible from the seed. */
function values(shape: number[], seed: number, lo = -1, hi = 1): tf.Tensor {
  const n = shape.reduce((p, q) => p * q, 1);
  const data = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = lo + ((hi - lo) * s) / 2 ** 32;
  }
  return tf.tensor(data, shape);
}

/** max |got − want| / |want| (0/0 counts as 0). */
function relativeError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) throw new Error(`${got.length} values against ${want.length}`);
  let worst = 0;
  for (let i = 0; i < got.length; i++) {
    const d = Math.abs(got[i] - want[i]);
    if (d > 0) worst = Math.max(worst, d / Math.abs(want[i]));
  }
  return worst;
}

const ULPS = 2.5e-7;
const UNARY: { op: string; run: (x: tf.Tensor) => tf.Tensor; tol: number; positive?: boolean }[] = [
  { op: 'Square', run: tf.square, tol: 0 },
  { op: 'Sqrt', run: tf.sqrt, tol: 0, positive: true },
  { op: 'Rsqrt', run: tf.rsqrt, tol: ULPS, positive: true },
  { op: 'Neg', run: tf.neg, tol: 0 },
  { op: 'Abs', run: tf.abs, tol: 0 },
  { op: 'Exp', run: tf.exp, tol: ULPS },
  { op: 'Tanh', run: tf.tanh, tol: ULPS },
  { op: 'Log', run: tf.log, tol: ULPS, positive: true },
  { op: 'Reciprocal', run: tf.reciprocal, tol: 0, positive: true },
  // x^1.5 (GDN's 1/√x gradient) has its own loop, x·√x.
  { op: 'Pow', run: (x) => tf.pow(x, 1.5), tol: ULPS, positive: true },
];
const BINARY: { op: string; run: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor; tol: number; positive?: boolean }[] = [
  { op: 'Add', run: tf.add, tol: 0 },
  { op: 'Sub', run: tf.sub, tol: 0 },
  { op: 'Multiply', run: tf.mul, tol: 0 },
  { op: 'RealDiv', run: tf.div, tol: 0 },
  { op: 'SquaredDifference', run: tf.squaredDifference, tol: ULPS },
  { op: 'Maximum', run: tf.maximum, tol: 0 },
  { op: 'Minimum', run: tf.minimum, tol: 0 },
  { op: 'Pow', run: tf.pow, tol: ULPS, positive: true },
];
// [a, b]: equal shapes, a bias over channels (as [C] and as [1, 1, 1, C]), a scalar either side, a
// per-example factor, both operands broadcast, ranks that differ, odd sizes.
const SHAPES: [number[], number[]][] = [
  [[3, 37, 41, 5], [3, 37, 41, 5]],
  [[2, 33, 65, 9], [9]],
  [[2, 33, 65, 9], [1, 1, 1, 9]],
  [[2, 33, 65, 9], []],
  [[], [17, 1031]],
  [[7, 29, 1, 97], [7, 1, 1, 1]],
  [[2, 1, 65, 9], [1, 33, 1, 9]],
  [[65, 1], [1, 257]],
  [[16385], [16385]],
];

describe.skipIf(!dnnl.ok)(`element-wise kernels under wasm (wasm+dnnl)${skipWhy}`, () => {
  it('every unary kernel matches tfjs’s cpu backend and runs natively', async () => {
    const shape = [5, 61, 59, 3];
    const run = (u: (typeof UNARY)[number]) => tf.tidy(() => u.run(values(shape, 7, u.positive ? 0.01 : -3, 3)).dataSync().slice());
    await initBackend('cpu');
    const want = UNARY.map(run);
    await initBackend('wasm+dnnl');
    UNARY.forEach((u, i) => {
      const before = callCounts[u.op].native;
      expect(relativeError(run(u), want[i]), u.op).toBeLessThanOrEqual(u.tol);
      expect(callCounts[u.op].native, `${u.op} ran natively`).toBe(before + 1);
    });
  });

  it('every binary kernel matches tfjs’s cpu backend over every broadcast form, and runs natively', async () => {
    const combos = BINARY.flatMap((b) => SHAPES.map((s) => ({ b, s })));
    const run = ({ b, s: [as, bs] }: (typeof combos)[number], i: number) =>
      tf.tidy(() => b.run(values(as, 2 * i + 1, b.positive ? 0.5 : -2, 2), values(bs, 2 * i + 2, b.positive ? -1.5 : -2, 2)).dataSync().slice());
    await initBackend('cpu');
    const want = combos.map(run);
    await initBackend('wasm+dnnl');
    combos.forEach((c, i) => {
      const before = callCounts[c.b.op].native;
      expect(relativeError(run(c, i), want[i]), `${c.b.op} ${JSON.stringify(c.s)}`).toBeLessThanOrEqual(c.b.tol);
      expect(callCounts[c.b.op].native, `${c.b.op} ${JSON.stringify(c.s)} ran natively`).toBe(before + 1);
    });
  });

  it('Sum over leading, trailing, middle and all axes matches tfjs’s cpu backend', async () => {
    const cases: { shape: number[]; axis: number[]; keepDims?: boolean }[] = [
      { shape: [8, 33, 31, 16], axis: [0, 1, 2] },
      { shape: [8, 33, 31, 16], axis: [1, 2, 3], keepDims: true },
      { shape: [8, 33, 31, 16], axis: [3] },
      { shape: [8, 33, 31, 16], axis: [1, 2] },
      { shape: [8, 33, 31, 16], axis: [0, 1, 2, 3] },
      { shape: [1, 20011, 1, 3], axis: [1] },
      { shape: [3, 7001, 2], axis: [0, 1], keepDims: true },
    ];
    const run = (c: (typeof cases)[number], i: number) => tf.tidy(() => tf.sum(values(c.shape, 90 + i), c.axis, c.keepDims).dataSync().slice());
    const scale = (c: (typeof cases)[number], i: number) => tf.tidy(() => tf.sum(tf.abs(values(c.shape, 90 + i))).dataSync()[0]);
    await initBackend('cpu');
    const want = cases.map(run);
    const scales = cases.map(scale);
    const shapes = cases.map((c, i) => tf.tidy(() => tf.sum(values(c.shape, 90 + i), c.axis, c.keepDims).shape));
    await initBackend('wasm+dnnl');
    cases.forEach((c, i) => {
      const before = callCounts.Sum.native;
      const got = run(c, i);
      const worst = Array.from(got).reduce((w, g, j) => Math.max(w, Math.abs(g - want[i][j])), 0);
      expect(worst, JSON.stringify(c)).toBeLessThan(1e-6 * scales[i]);
      expect(tf.tidy(() => tf.sum(values(c.shape, 90 + i), c.axis, c.keepDims).shape), 'output shape').toEqual(shapes[i]);
      expect(callCounts.Sum.native - before, `${JSON.stringify(c)} ran natively`).toBe(2);
    });
  });

  it('hands small tensors, other dtypes, non-adjacent axes and broadcasts over more than 4 dims to the wasm kernels', async () => {
    await initBackend('wasm+dnnl');
    const fallbacks = (op: string, f: () => tf.Tensor) => {
      const before = callCounts[op].fallback;
      tf.tidy(() => f().dataSync());
      return callCounts[op].fallback - before;
    };
    expect(fallbacks('Multiply', () => tf.mul(values([100, 100], 1), values([100, 100], 2))), 'under 16 Ki values').toBe(1);
    expect(fallbacks('Add', () => tf.add(tf.ones([200, 100], 'int32'), tf.ones([200, 100], 'int32'))), 'int32').toBe(1);
    expect(fallbacks('Add', () => tf.add(values([3, 1, 5, 1, 7, 1], 3), values([1, 4, 1, 6, 1, 8], 4))), '6 dims').toBe(1);
    expect(fallbacks('Sum', () => tf.sum(values([8, 33, 31, 16], 5), [0, 2])), 'non-adjacent axes').toBe(1);
    // …with tfjs's own results: the 6-dimensional broadcast against its closed form.
    const a = values([3, 1, 5, 1, 7, 1], 3);
    const b = values([1, 4, 1, 6, 1, 8], 4);
    const got = tf.add(a, b).dataSync();
    const [ad, bd] = [a.dataSync(), b.dataSync()];
    let wrong = 0;
    for (let i0 = 0, k = 0; i0 < 3; i0++)
      for (let i1 = 0; i1 < 4; i1++)
        for (let i2 = 0; i2 < 5; i2++)
          for (let i3 = 0; i3 < 6; i3++)
            for (let i4 = 0; i4 < 7; i4++)
              for (let i5 = 0; i5 < 8; i5++, k++) if (got[k] !== Math.fround(ad[(i0 * 5 + i2) * 7 + i4] + bd[(i1 * 6 + i3) * 8 + i5])) wrong++;
    expect(wrong).toBe(0);
    tf.dispose([a, b]);
  });

  it('works on the wasm heap as it is after the output grew it (new ArrayBuffer)', async () => {
    await initBackend('wasm+dnnl');
    const heap = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer;
    const old = heap();
    // An outer sum a[r] + b[c] whose output alone is larger than the whole heap now, checked
    // against its closed form.
    const cols = 4096;
    const rows = Math.ceil(old.byteLength / 4 / cols) + 8;
    const [a, b] = [values([rows, 1], 11), values([1, cols], 12)];
    const before = callCounts.Add.native;
    const yt = tf.add(a, b);
    const y = yt.dataSync();
    expect(callCounts.Add.native).toBe(before + 1);
    expect(heap(), 'the call grew the heap').not.toBe(old);
    const [ad, bd] = [a.dataSync(), b.dataSync()];
    let wrong = 0;
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) if (y[r * cols + c] !== Math.fround(ad[r] + bd[c])) wrong++;
    expect(wrong).toBe(0);
    tf.dispose([a, b, yt]);
  });
});
