/**
 * `YOTO_THREADS=1 pnpm exec tsx research/depthwise-call-overhead.ts [--only TEXT] [--reps N] [--rep-ms MS]`:
 * what a native depthwise pass costs beyond the oneDNN call itself. For each MobileNet depthwise
 * shape and pass of `pnpm bench kernels --native`, three ways of making the same call, interleaved
 * rep by rep so that the machine's load falls on all three alike (time per call, median over reps of
 * batches lasting ≥ MS):
 *   engine - `tf.engine().runKernel` and dispose, as the bench and training call it;
 *   body   - the kernel's own work without tfjs's engine: runConvPass (geometry, output allocation,
 *            the addon call) and freeing the output;
 *   addon  - the addon's `conv` alone, on the same operands and one output kept across calls.
 * engine − addon is the per-call overhead of the native kernel as used; body − addon the part that
 * is this project's (geometry, allocation, marshalling). `YOTO_DNNL_ADDON=path` compares another
 * build of the addon.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@yoto/core';
import { parseFlagsOrExit } from '@yoto/flags';
import { loadAddon, Layout, packGeometry, Pass } from '../packages/tfjs-dnnl/src/index.js';
import { backpropInfo, convInfo, runConvPass, type ConvAttrs, type WasmHeapBackend } from '../packages/tfjs-dnnl/src/kernels/support.js';

const { flags } = parseFlagsOrExit(
  'depthwise-call-overhead',
  process.argv.slice(2),
  { only: { type: 'string' }, reps: { type: 'integer', min: 1, default: 11 }, 'rep-ms': { type: 'number', above: 0, default: 40 } },
  'YOTO_THREADS=1 tsx research/depthwise-call-overhead.ts [--only TEXT] [--reps N] [--rep-ms MS]',
);

/** The bench's MobileNet depthwise shapes (packages/core/bench/native-conv.ts): batch, size, channels, stride; 3×3, 'same'. */
const SHAPES = [
  { name: 'mnet-dw1', n: 4, h: 128, c: 32, s: 1 },
  { name: 'mnet-dw2', n: 4, h: 128, c: 64, s: 2 },
  { name: 'mnet-dw3', n: 4, h: 64, c: 128, s: 1 },
  { name: 'mnet-dw5', n: 4, h: 32, c: 256, s: 1 },
  { name: 'mnet-dw7', n: 4, h: 16, c: 512, s: 1 },
].filter((s) => !flags.only || s.name.includes(flags.only));

await initBackend('wasm+dnnl');
const status = loadAddon();
if (!status.ok) throw new Error(status.why);
const addon = status.addon;
const backend = tf.backend() as unknown as WasmHeapBackend & { disposeData(id: object): void };
const offset = (t: tf.TensorInfo) => backend.dataIdMap.get(t.dataId)!.memoryOffset;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

console.log(`per call, µs (median over ${flags.reps} interleaved reps of ≥ ${flags['rep-ms']} ms); addon ${status.path}`);
console.log(['shape'.padEnd(10), 'pass'.padEnd(12), 'engine'.padStart(8), 'body'.padStart(8), 'addon'.padStart(8), 'engine−addon'.padStart(13), 'body−addon'.padStart(11)].join(' '));
for (const { name, n, h, c, s } of SHAPES) {
  const oh = Math.ceil(h / s);
  const x = tf.randomNormal([n, h, h, c], 0, 1, 'float32', 1);
  const w = tf.randomNormal([3, 3, c, 1], 0, 1, 'float32', 2);
  const dy = tf.randomNormal([n, oh, oh, c], 0, 1, 'float32', 3);
  const attrs: ConvAttrs = { strides: s, pad: 'same', dataFormat: 'NHWC', dilations: 1 };
  const passes = [
    { pass: 'forward', kernel: 'DepthwiseConv2dNative', inputs: { x, filter: w }, extra: {}, info: convInfo(x.shape, w.shape, attrs, true), a: x, b: w },
    { pass: 'backwardData', kernel: 'DepthwiseConv2dNativeBackpropInput', inputs: { dy, filter: w }, extra: { inputShape: x.shape }, info: backpropInfo(attrs, x.shape, w.shape, dy, [w], true)!, a: dy, b: w },
    { pass: 'backwardWeights', kernel: 'DepthwiseConv2dNativeBackpropFilter', inputs: { x, dy }, extra: { filterShape: w.shape }, info: backpropInfo(attrs, x.shape, w.shape, dy, [x], true)!, a: x, b: dy },
  ] as const;
  for (const p of passes) {
    const outShape = p.pass === 'forward' ? p.info.outShape : p.pass === 'backwardData' ? x.shape : w.shape;
    const kept = backend.makeOutput([...outShape], 'float32');
    const geometry = packGeometry(p.info, c);
    const token = p.pass === 'backwardWeights' ? -1 : 1e9; // a token no tensor of this run gets
    const variants: Record<string, () => void> = {
      engine: () => (tf.engine().runKernel(p.kernel, p.inputs, { ...attrs, ...p.extra } as unknown as tf.NamedAttrMap) as tf.Tensor).dispose(),
      body: () => backend.disposeData(runConvPass(addon, backend, p.pass, p.info, c, [...outShape], p.a, p.b).dataId),
      addon: () => void addon.conv(Pass[p.pass], geometry, backend.wasm.HEAPU8.buffer as ArrayBuffer, offset(p.a), offset(p.b), offset(kept), Layout.nhwc, -1, 0, 0, token),
    };
    // Calls per rep from a warm-up of the engine variant lasting one rep.
    for (const f of Object.values(variants)) f();
    let calls = 0;
    const w0 = performance.now();
    while (calls < 2 || performance.now() - w0 < flags['rep-ms']) (variants.engine(), calls++);
    calls = Math.max(1, Math.ceil((flags['rep-ms'] * calls) / (performance.now() - w0)));
    const us: Record<string, number[]> = { engine: [], body: [], addon: [] };
    for (let r = 0; r < flags.reps; r++)
      for (const [k, f] of Object.entries(variants)) {
        const t0 = performance.now();
        for (let i = 0; i < calls; i++) f();
        us[k].push(((performance.now() - t0) * 1000) / calls);
      }
    const [e, b, a] = [median(us.engine), median(us.body), median(us.addon)];
    console.log([name.padEnd(10), p.pass.padEnd(12), e.toFixed(1).padStart(8), b.toFixed(1).padStart(8), a.toFixed(1).padStart(8), (e - a).toFixed(1).padStart(13), (b - a).toFixed(1).padStart(11)].join(' '));
    backend.disposeData(kept.dataId);
  }
  tf.dispose([x, w, dy]);
}
