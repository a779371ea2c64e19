/**
 * `pnpm bench kernels`: median time of each kernel this project registers against tfjs's own, per
 * shape, on wasm and cpu. Shapes are the benchmark models' (shared/docs/benchmarks.md: the VAE at
 * batch 64 and the bls compression model at batch 8) plus MobileNet-like depthwise layers for the
 * style loss network.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend/init.js';
import {
  chooseBackpropInputStrategy,
  conv2dBackpropFilterViaConv,
  conv2dBackpropInputViaConv,
  convGeometry,
  depthwiseBackpropFilterViaConv,
  depthwiseBackpropInputViaConv,
  KERNEL_FIXES,
  originalKernel,
  runOriginalKernel,
  type BackpropInputStrategy,
} from '@yoto/tfjs-kernels';
import { median } from '@yoto/bench-stats';
import { parseFlags } from '@yoto/flags';
import { mainNative, NATIVE_HELP } from './native-conv.js';

type Shape4 = [number, number, number, number];

/** One benchmark row group: a kernel call on given shapes, and the implementations to compare. */
interface BenchCase {
  label: string;
  kernel: string;
  /** Fresh inputs (new buffers, as in training: XNNPACK caches per weight buffer). */
  inputs: () => tf.NamedTensorMap;
  attrs: tf.NamedAttrMap;
  /** Multiply-adds (or elements for reductions), to predict run time from a batch-1 probe. */
  work: number;
  /** The same case at batch 1, to predict slow implementations' time before running them. */
  probe?: () => BenchCase;
  /** Our implementations by name, besides the registered kernel itself; `active` names the one dispatched. */
  ours: [string, (inputs: tf.NamedTensorMap) => tf.Tensor][];
  active: string;
}

const attrs = (a: object) => a as unknown as tf.NamedAttrMap;

function randn(shape: number[], seed: number, relu = false): tf.Tensor {
  return tf.tidy(() => {
    const t = tf.randomNormal(shape, 0, 1, 'float32', seed);
    return relu ? tf.relu(t) : t;
  });
}

function convCase(label: string, kernel: string, x: Shape4, f: Shape4, stride: number, batch = x[0]): BenchCase {
  const xs: Shape4 = [batch, x[1], x[2], x[3]];
  const depthwise = kernel.startsWith('Depthwise');
  const out: Shape4 = [batch, Math.ceil(x[1] / stride), Math.ceil(x[2] / stride), depthwise ? x[3] * f[3] : f[3]];
  const filterGrad = kernel.endsWith('Filter');
  const common = { strides: stride, pad: 'same', dataFormat: 'NHWC', dilations: 1 };
  const a = attrs(filterGrad ? { ...common, filterShape: f } : { ...common, inputShape: xs });
  const inputs = (): tf.NamedTensorMap => (filterGrad ? { x: randn(xs, 1, true), dy: randn(out, 2) } : { dy: randn(out, 2), filter: randn(f, 3) });
  const ours: BenchCase['ours'] = [];
  let active = 'ours';
  if (kernel === 'Conv2DBackpropFilter') ours.push(['ours', (i) => conv2dBackpropFilterViaConv(i.x as tf.Tensor4D, i.dy as tf.Tensor4D, f, stride, 'same')]);
  if (kernel === 'Conv2DBackpropInput') {
    for (const st of ['subpixel', 'phases', 'zeros'] as BackpropInputStrategy[])
      ours.push([`ours ${st}`, (i) => conv2dBackpropInputViaConv(xs, i.dy as tf.Tensor4D, i.filter as tf.Tensor4D, stride, 'same', 'NHWC', undefined, st)]);
    active = `ours ${chooseBackpropInputStrategy(convGeometry(xs, f, stride, 1, 'same', undefined, false))}`;
  }
  if (kernel === 'DepthwiseConv2dNativeBackpropInput') ours.push(['ours', (i) => depthwiseBackpropInputViaConv(xs, i.dy as tf.Tensor4D, i.filter as tf.Tensor4D, stride, 1, 'same')]);
  if (kernel === 'DepthwiseConv2dNativeBackpropFilter') ours.push(['ours', (i) => depthwiseBackpropFilterViaConv(i.x as tf.Tensor4D, i.dy as tf.Tensor4D, f, stride, 1, 'same')]);
  const work = out[0] * out[1] * out[2] * f[0] * f[1] * f[2] * f[3];
  return { label, kernel, inputs, attrs: a, work, ours, active, probe: batch > 1 ? () => convCase(label, kernel, x, f, stride, 1) : undefined };
}

function matMulCase(label: string, a: number[], b: number[], transposeA: boolean, transposeB: boolean): BenchCase {
  const [m, k] = transposeA ? [a[1], a[0]] : [a[0], a[1]];
  const n = transposeB ? b[0] : b[1];
  return {
    label,
    kernel: 'BatchMatMul',
    inputs: () => ({ a: randn(a, 4), b: randn(b, 5) }),
    attrs: attrs({ transposeA, transposeB }),
    work: m * k * n,
    ours: [],
    active: 'registered',
  };
}

function sumCase(label: string, shape: number[], axis: number[]): BenchCase {
  return {
    label,
    kernel: 'Sum',
    inputs: () => ({ x: randn(shape, 6) }),
    attrs: attrs({ axis, keepDims: false }),
    work: shape.reduce((p, q) => p * q, 1),
    ours: [],
    active: 'registered',
  };
}

const CASES: BenchCase[] = [
  // vae (batch 64): conv 28→14 (1→32), conv 14→7 (32→64); the transposed convs mirror them.
  convCase('vae enc1 / dec2 dW', 'Conv2DBackpropFilter', [64, 28, 28, 1], [3, 3, 1, 32], 2),
  convCase('vae enc2 / dec1 dW', 'Conv2DBackpropFilter', [64, 14, 14, 32], [3, 3, 32, 64], 2),
  convCase('vae enc2 dx / dec1 fwd', 'Conv2DBackpropInput', [64, 14, 14, 32], [3, 3, 32, 64], 2),
  convCase('vae dec2 fwd (1 ch out)', 'Conv2DBackpropInput', [64, 28, 28, 1], [3, 3, 1, 32], 2),
  matMulCase('vae dense dW 3136→32', [64, 3136], [64, 32], true, false),
  matMulCase('vae dense dx 3136→32', [64, 32], [3136, 32], false, true),
  matMulCase('vae dense dW 16→3136', [64, 16], [64, 3136], true, false),
  sumCase('vae bias grad 14²×32', [64, 14, 14, 32], [0, 1, 2]),
  sumCase('vae FiLM grad 14²×32', [64, 14, 14, 32], [1, 2]),
  // bls (batch 8): four 5×5 stride-2 convs 128→64→32→16→8 (3→64→64→64→96); synthesis mirrors them.
  convCase('bls g_a1 dW', 'Conv2DBackpropFilter', [8, 128, 128, 3], [5, 5, 3, 64], 2),
  convCase('bls g_a2 / g_s3 dW', 'Conv2DBackpropFilter', [8, 64, 64, 64], [5, 5, 64, 64], 2),
  convCase('bls g_a3 / g_s2 dW', 'Conv2DBackpropFilter', [8, 32, 32, 64], [5, 5, 64, 64], 2),
  convCase('bls g_a4 / g_s1 dW', 'Conv2DBackpropFilter', [8, 16, 16, 64], [5, 5, 64, 96], 2),
  convCase('bls g_a2 dx / g_s3 fwd', 'Conv2DBackpropInput', [8, 64, 64, 64], [5, 5, 64, 64], 2),
  convCase('bls g_a3 dx / g_s2 fwd', 'Conv2DBackpropInput', [8, 32, 32, 64], [5, 5, 64, 64], 2),
  convCase('bls g_a4 dx / g_s1 fwd', 'Conv2DBackpropInput', [8, 16, 16, 64], [5, 5, 64, 96], 2),
  convCase('bls g_s4 fwd (3 ch out)', 'Conv2DBackpropInput', [8, 128, 128, 3], [5, 5, 3, 64], 2),
  sumCase('bls bias grad 64²×64', [8, 64, 64, 64], [0, 1, 2]),
  // MobileNet-like depthwise 3×3 layers (style loss network), batch 4.
  convCase('dw 128² ×32 s1 dx', 'DepthwiseConv2dNativeBackpropInput', [4, 128, 128, 32], [3, 3, 32, 1], 1),
  convCase('dw 128² ×64 s2 dx', 'DepthwiseConv2dNativeBackpropInput', [4, 128, 128, 64], [3, 3, 64, 1], 2),
  convCase('dw 32² ×256 s1 dx', 'DepthwiseConv2dNativeBackpropInput', [4, 32, 32, 256], [3, 3, 256, 1], 1),
  convCase('dw 128² ×32 s1 dW', 'DepthwiseConv2dNativeBackpropFilter', [4, 128, 128, 32], [3, 3, 32, 1], 1),
  convCase('dw 128² ×64 s2 dW', 'DepthwiseConv2dNativeBackpropFilter', [4, 128, 128, 64], [3, 3, 64, 1], 2),
  convCase('dw 32² ×256 s1 dW', 'DepthwiseConv2dNativeBackpropFilter', [4, 32, 32, 256], [3, 3, 256, 1], 1),
];

interface Options {
  backends: ('wasm' | 'cpu')[];
  reps: number;
  limitS: number;
  only: string | null;
}

function parseOptions(args: string[]): Options | null {
  const { flags: f } = parseFlags(
    'bench kernels',
    args,
    {
      backend: { type: 'string', choices: ['wasm', 'cpu', 'all'], default: 'all' },
      reps: { type: 'integer', min: 1, default: 7 },
      limit: { type: 'number', above: 0, default: 10 },
      only: { type: 'string' },
    },
    'pnpm bench kernels [--backend wasm|cpu|all] [--reps N] [--limit SECONDS] [--only TEXT] (--help for more)',
  );
  if (f.help) return null;
  return { backends: f.backend === 'all' ? ['wasm', 'cpu'] : [f.backend], reps: f.reps, limitS: f.limit, only: f.only ?? null };
}

const HELP = `pnpm bench kernels [--backend wasm|cpu|all] [--reps N] [--limit SECONDS] [--only TEXT]
  Median wall time per call (ms) of each kernel this project replaces: tfjs's own vs ours.
  --reps   timed calls per median (default 7; cpu uses at most 3)
  --limit  skip a measurement predicted to take longer than this per call (default 10 s);
           predictions scale a batch-1 probe of the same implementation by the work ratio
  --only   run only cases whose label or kernel name contains TEXT

${NATIVE_HELP}`;

/** Times one call on fresh inputs (created and disposed outside the timed region). */
function timeOnce(c: BenchCase, impl: (inputs: tf.NamedTensorMap) => tf.Tensor): number {
  const inputs = c.inputs();
  const t0 = performance.now();
  const out = impl(inputs);
  out.dataSync(); // both backends are synchronous; this only guards against lazy ones
  const ms = performance.now() - t0;
  out.dispose();
  tf.dispose(Object.values(inputs));
  return ms;
}

function fmt(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms.toFixed(1);
}

/** Median ms, or a reason it was not measured. */
function measure(c: BenchCase, impl: (c: BenchCase) => (inputs: tf.NamedTensorMap) => tf.Tensor, reps: number, limitS: number): { ms: number | null; text: string; note: string } {
  if (c.probe) {
    const p = c.probe();
    const f = impl(p);
    timeOnce(p, f); // warm-up
    const probeMs = Math.min(timeOnce(p, f), timeOnce(p, f)); // the machine is shared and noisy
    const predicted = (probeMs * c.work) / p.work;
    if (predicted > limitS * 1000) return { ms: null, text: `~${fmt(predicted)}`, note: `skipped: predicted > ${limitS} s from batch 1` };
  }
  const f = impl(c);
  const first = timeOnce(c, f);
  if (first > 2000) return { ms: first, text: fmt(first), note: '1 rep (slow)' };
  const samples: number[] = [];
  for (let r = 0; r < reps; r++) samples.push(timeOnce(c, f));
  const ms = median(samples);
  return { ms, text: fmt(ms), note: '' };
}

export async function main(args: string[]): Promise<number | void> {
  if (args.includes('--native') && !args.includes('--help') && !args.includes('-h')) return mainNative(args);
  const opts = parseOptions(args);
  if (!opts) {
    console.log(HELP);
    return;
  }
  const cases = CASES.filter((c) => !opts.only || c.label.includes(opts.only) || c.kernel.includes(opts.only));
  if (cases.length === 0) throw new Error(`--only ${JSON.stringify(opts.only)} matches no case`);
  console.log(`kernels: median ms per call on fresh inputs (reps ${opts.reps}${opts.backends.includes('cpu') ? ', cpu ≤ 3' : ''}); "active" = what tfjs dispatches after initBackend`);
  for (const backend of opts.backends) {
    await initBackend(backend);
    const reps = backend === 'cpu' ? Math.min(3, opts.reps) : opts.reps;
    console.log(`\n== ${backend} ==`);
    console.log(['case'.padEnd(26), 'kernel'.padEnd(36), 'impl'.padEnd(14), 'median ms'.padStart(10), 'vs tfjs'.padStart(8), '  note'].join(' '));
    for (const c of cases) {
      const fix = KERNEL_FIXES.find((k) => k.kernelName === c.kernel && k.backendName === backend);
      const fixed = fix !== undefined;
      const oursServes = fixed && (fix.when?.(c.attrs) ?? true);
      const original = originalKernel(c.kernel, backend);
      // tfjs's own: reached through runOriginalKernel where we replaced it, else it is still the registered one.
      const tfjs = (k: BenchCase) => (fixed ? (i: tf.NamedTensorMap) => runOriginalKernel(k.kernel, i, k.attrs) : (i: tf.NamedTensorMap) => tf.engine().runKernel(k.kernel, i, k.attrs) as tf.Tensor);
      const rows: [string, ((k: BenchCase) => (i: tf.NamedTensorMap) => tf.Tensor) | null, boolean][] = [['tfjs', fixed && !original ? null : tfjs, !oursServes]];
      if (c.ours.length === 0) rows.push(['registered', (k) => (i) => tf.engine().runKernel(k.kernel, i, k.attrs) as tf.Tensor, oursServes]);
      for (const [name] of c.ours) rows.push([name, (k) => k.ours.find(([n]) => n === name)![1], oursServes && name === c.active]);
      let tfjsMs: number | null = null;
      for (const [name, impl, active] of rows) {
        if (name === 'registered' && !fixed) continue; // identical to the tfjs row
        const r = impl ? measure(c, impl, reps, opts.limitS) : { ms: null, text: 'missing', note: '' };
        if (name === 'tfjs') tfjsMs = r.ms;
        const speedup = name !== 'tfjs' && tfjsMs !== null && r.ms !== null ? `${(tfjsMs / r.ms).toFixed(1)}×` : '';
        const note = [active ? 'active' : '', r.note].filter(Boolean).join('; ');
        console.log([c.label.padEnd(26), c.kernel.padEnd(36), name.padEnd(14), r.text.padStart(10), speedup.padStart(8), ` ${note}`].join(' ').trimEnd());
      }
    }
  }
}
