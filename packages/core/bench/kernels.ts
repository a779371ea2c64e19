/**
 * `pnpm bench kernels`: median time of each conv kernel this project registers against tfjs's own,
 * per shape, on wasm and cpu. Shapes are the benchmark models' (../../../shared/docs/benchmarks.md:
 * the VAE at batch 64 and the bls compression model at batch 8) plus MobileNet-like depthwise
 * layers for the style loss network.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend/init.js';
import { conv2dBackpropFilterViaConv } from '../src/kernels/conv2d_backprop_filter.js';
import { chooseBackpropInputStrategy, conv2dBackpropInputViaConv } from '../src/kernels/conv2d_backprop_input.js';
import { convGeometry } from '../src/kernels/conv_geometry.js';
import { depthwiseBackpropFilterViaConv, depthwiseBackpropInputViaConv } from '../src/kernels/depthwise_backprop.js';
import { KERNEL_FIXES, originalKernel, runOriginalKernel } from '../src/kernels/register.js';

type Shape4 = [number, number, number, number];
type KernelName = 'Conv2DBackpropFilter' | 'Conv2DBackpropInput' | 'DepthwiseConv2dNativeBackpropFilter' | 'DepthwiseConv2dNativeBackpropInput';

interface BenchShape {
  label: string;
  kernel: KernelName;
  /** Forward input (NHWC) and filter of the convolution whose gradient this is. */
  x: Shape4;
  f: Shape4;
  stride: number;
}

const SHAPES: BenchShape[] = [
  // vae: conv 28→14 (1→32), conv 14→7 (32→64); the transposed convs mirror them.
  { label: 'vae enc1 / dec2 dW', kernel: 'Conv2DBackpropFilter', x: [64, 28, 28, 1], f: [3, 3, 1, 32], stride: 2 },
  { label: 'vae enc2 / dec1 dW', kernel: 'Conv2DBackpropFilter', x: [64, 14, 14, 32], f: [3, 3, 32, 64], stride: 2 },
  { label: 'vae enc2 dx / dec1 fwd', kernel: 'Conv2DBackpropInput', x: [64, 14, 14, 32], f: [3, 3, 32, 64], stride: 2 },
  { label: 'vae dec2 fwd (1 ch out)', kernel: 'Conv2DBackpropInput', x: [64, 28, 28, 1], f: [3, 3, 1, 32], stride: 2 },
  // bls: four 5×5 stride-2 convs 128→64→32→16→8 (3→64→64→64→96); synthesis mirrors them.
  { label: 'bls g_a1 dW', kernel: 'Conv2DBackpropFilter', x: [8, 128, 128, 3], f: [5, 5, 3, 64], stride: 2 },
  { label: 'bls g_a2 / g_s3 dW', kernel: 'Conv2DBackpropFilter', x: [8, 64, 64, 64], f: [5, 5, 64, 64], stride: 2 },
  { label: 'bls g_a3 / g_s2 dW', kernel: 'Conv2DBackpropFilter', x: [8, 32, 32, 64], f: [5, 5, 64, 64], stride: 2 },
  { label: 'bls g_a4 / g_s1 dW', kernel: 'Conv2DBackpropFilter', x: [8, 16, 16, 64], f: [5, 5, 64, 96], stride: 2 },
  { label: 'bls g_a2 dx / g_s3 fwd', kernel: 'Conv2DBackpropInput', x: [8, 64, 64, 64], f: [5, 5, 64, 64], stride: 2 },
  { label: 'bls g_a3 dx / g_s2 fwd', kernel: 'Conv2DBackpropInput', x: [8, 32, 32, 64], f: [5, 5, 64, 64], stride: 2 },
  { label: 'bls g_a4 dx / g_s1 fwd', kernel: 'Conv2DBackpropInput', x: [8, 16, 16, 64], f: [5, 5, 64, 96], stride: 2 },
  { label: 'bls g_s4 fwd (3 ch out)', kernel: 'Conv2DBackpropInput', x: [8, 128, 128, 3], f: [5, 5, 3, 64], stride: 2 },
  // MobileNet-like depthwise 3×3 layers (style loss network), batch 4.
  { label: 'dw 128² ×32 s1 dx', kernel: 'DepthwiseConv2dNativeBackpropInput', x: [4, 128, 128, 32], f: [3, 3, 32, 1], stride: 1 },
  { label: 'dw 128² ×64 s2 dx', kernel: 'DepthwiseConv2dNativeBackpropInput', x: [4, 128, 128, 64], f: [3, 3, 64, 1], stride: 2 },
  { label: 'dw 32² ×256 s1 dx', kernel: 'DepthwiseConv2dNativeBackpropInput', x: [4, 32, 32, 256], f: [3, 3, 256, 1], stride: 1 },
  { label: 'dw 128² ×32 s1 dW', kernel: 'DepthwiseConv2dNativeBackpropFilter', x: [4, 128, 128, 32], f: [3, 3, 32, 1], stride: 1 },
  { label: 'dw 128² ×64 s2 dW', kernel: 'DepthwiseConv2dNativeBackpropFilter', x: [4, 128, 128, 64], f: [3, 3, 64, 1], stride: 2 },
  { label: 'dw 32² ×256 s1 dW', kernel: 'DepthwiseConv2dNativeBackpropFilter', x: [4, 32, 32, 256], f: [3, 3, 256, 1], stride: 1 },
];

interface Options {
  backends: ('wasm' | 'cpu')[];
  reps: number;
  limitS: number;
  only: string | null;
}

function parseArgs(args: string[]): Options | null {
  const o: Options = { backends: ['wasm', 'cpu'], reps: 7, limitS: 10, only: null };
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split('=', 2);
    const value = () => {
      const v = inline ?? args[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--help' || flag === '-h') return null;
    else if (flag === '--backend') {
      const v = value();
      if (v === 'all') o.backends = ['wasm', 'cpu'];
      else if (v === 'wasm' || v === 'cpu') o.backends = [v];
      else throw new Error(`--backend: expected wasm, cpu or all, got ${JSON.stringify(v)}`);
    } else if (flag === '--reps') {
      o.reps = Number(value());
      if (!Number.isInteger(o.reps) || o.reps < 1) throw new Error('--reps: expected a positive integer');
    } else if (flag === '--limit') {
      o.limitS = Number(value());
      if (!(o.limitS > 0)) throw new Error('--limit: expected seconds > 0');
    } else if (flag === '--only') o.only = value();
    else throw new Error(`unknown option ${JSON.stringify(args[i])}; see --help`);
  }
  return o;
}

const HELP = `pnpm bench kernels [--backend wasm|cpu|all] [--reps N] [--limit SECONDS] [--only TEXT]
  Median wall time per call (ms) of each conv gradient kernel: tfjs's own vs this project's.
  --reps   timed calls per median (default 7; cpu uses at most 3)
  --limit  skip a measurement predicted to take longer than this per call (default 10 s);
           predictions come from each implementation's ms per multiply-add on a small shape
  --only   run only shapes whose label or kernel name contains TEXT`;

function outShape(s: BenchShape): Shape4 {
  const [n, h, w, c] = s.x;
  const depthwise = s.kernel.startsWith('Depthwise');
  return [n, Math.ceil(h / s.stride), Math.ceil(w / s.stride), depthwise ? c * s.f[3] : s.f[3]];
}

function macs(s: BenchShape): number {
  const [n, ho, wo] = outShape(s);
  const [fh, fw, ci, c] = s.f;
  return n * ho * wo * fh * fw * ci * c;
}

type Impl = (x: tf.Tensor4D, w: tf.Tensor4D, dy: tf.Tensor4D, s: BenchShape) => tf.Tensor;

function attrsFor(s: BenchShape): tf.NamedAttrMap {
  const common = { strides: s.stride, pad: 'same', dataFormat: 'NHWC', dilations: 1 };
  return (s.kernel.endsWith('Filter') ? { ...common, filterShape: s.f } : { ...common, inputShape: s.x }) as unknown as tf.NamedAttrMap;
}

function inputsFor(s: BenchShape, x: tf.Tensor4D, w: tf.Tensor4D, dy: tf.Tensor4D): tf.NamedTensorMap {
  return s.kernel.endsWith('Filter') ? { x, dy } : { dy, filter: w };
}

/** The implementations to compare for a kernel: tfjs's own, then ours (per strategy where there are several). */
function implementations(s: BenchShape, fixed: boolean): [string, Impl][] {
  // Where we replaced tfjs's kernel it is reached through runOriginalKernel; elsewhere it is still the registered one.
  const tfjs: Impl = fixed
    ? (x, w, dy) => runOriginalKernel(s.kernel, inputsFor(s, x, w, dy), attrsFor(s))
    : (x, w, dy) => tf.engine().runKernel(s.kernel, inputsFor(s, x, w, dy), attrsFor(s)) as tf.Tensor;
  switch (s.kernel) {
    case 'Conv2DBackpropFilter':
      return [['tfjs', tfjs], ['ours', (x, _w, dy) => conv2dBackpropFilterViaConv(x, dy, s.f, s.stride, 'same')]];
    case 'Conv2DBackpropInput':
      return [
        ['tfjs', tfjs],
        ['ours subpixel', (_x, w, dy) => conv2dBackpropInputViaConv(s.x, dy, w, s.stride, 'same', 'NHWC', undefined, 'subpixel')],
        ['ours phases', (_x, w, dy) => conv2dBackpropInputViaConv(s.x, dy, w, s.stride, 'same', 'NHWC', undefined, 'phases')],
        ['ours zeros', (_x, w, dy) => conv2dBackpropInputViaConv(s.x, dy, w, s.stride, 'same', 'NHWC', undefined, 'zeros')],
      ];
    case 'DepthwiseConv2dNativeBackpropInput':
      return [['tfjs', tfjs], ['ours', (_x, w, dy) => depthwiseBackpropInputViaConv(s.x, dy, w, s.stride, 1, 'same')]];
    case 'DepthwiseConv2dNativeBackpropFilter':
      return [['tfjs', tfjs], ['ours', (x, _w, dy) => depthwiseBackpropFilterViaConv(x, dy, s.f, s.stride, 1, 'same')]];
  }
}

function timeOnce(f: () => tf.Tensor): number {
  const t0 = performance.now();
  const out = f();
  out.dataSync(); // both backends are synchronous; this only guards against lazy ones
  const ms = performance.now() - t0;
  out.dispose();
  return ms;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** A small version of the shape (batch 1) to learn each implementation's ms per multiply-add. */
function probeShape(s: BenchShape): BenchShape {
  return { ...s, x: [1, s.x[1], s.x[2], s.x[3]] };
}

function randomInputs(s: BenchShape) {
  return tf.tidy(() => {
    const x = tf.relu(tf.randomNormal(s.x, 0, 1, 'float32', 1)) as tf.Tensor4D;
    const w = tf.randomNormal(s.f, 0, 0.1, 'float32', 2) as tf.Tensor4D;
    const dy = tf.randomNormal(outShape(s), 0, 1, 'float32', 3) as tf.Tensor4D;
    return { x, w, dy };
  });
}

function fmt(ms: number | string): string {
  return typeof ms === 'string' ? ms : ms >= 100 ? ms.toFixed(0) : ms.toFixed(1);
}

export async function main(args: string[]): Promise<void> {
  const opts = parseArgs(args);
  if (!opts) {
    console.log(HELP);
    return;
  }
  const shapes = SHAPES.filter((s) => !opts.only || s.label.includes(opts.only) || s.kernel.includes(opts.only));
  if (shapes.length === 0) throw new Error(`--only ${JSON.stringify(opts.only)} matches no shape`);
  console.log(`kernels: median ms per call (reps ${opts.reps}${opts.backends.includes('cpu') ? ', cpu ≤ 3' : ''}); "active" is what tfjs dispatches after initBackend`);
  for (const backend of opts.backends) {
    await initBackend(backend);
    const reps = backend === 'cpu' ? Math.min(3, opts.reps) : opts.reps;
    console.log(`\n== ${backend} ==`);
    console.log(['shape'.padEnd(26), 'kernel'.padEnd(36), 'impl'.padEnd(14), 'median ms'.padStart(10), 'vs tfjs'.padStart(8), '  note'].join(' '));
    for (const s of shapes) {
      const fixed = KERNEL_FIXES.some((k) => k.kernelName === s.kernel && k.backendName === backend);
      const hasOriginal = originalKernel(s.kernel, backend) !== null || !fixed;
      const { x, w, dy } = randomInputs(s);
      const probe = probeShape(s);
      const p = randomInputs(probe);
      let tfjsMs: number | null = null;
      const oursActive =
        s.kernel === 'Conv2DBackpropInput' ? `ours ${chooseBackpropInputStrategy(convGeometry(s.x, s.f, s.stride, 1, 'same', undefined, false))}` : 'ours';
      for (const [name, impl] of implementations(s, fixed)) {
        const isTfjs = name === 'tfjs';
        const active = isTfjs ? !fixed : fixed && name === oursActive;
        let cell: number | string;
        let note = active ? 'active' : '';
        if (isTfjs && !hasOriginal) {
          cell = 'missing';
        } else {
          // Predict from the batch-1 probe: a warm-up call, then the faster of two (the machine is shared and noisy).
          timeOnce(() => impl(p.x, p.w, p.dy, probe));
          const probeMs = Math.min(timeOnce(() => impl(p.x, p.w, p.dy, probe)), timeOnce(() => impl(p.x, p.w, p.dy, probe)));
          const predictedMs = (probeMs * macs(s)) / macs(probe);
          if (predictedMs > opts.limitS * 1000) {
            cell = `~${fmt(predictedMs)}`;
            note = `${note ? `${note}; ` : ''}skipped: predicted > ${opts.limitS} s (from batch 1)`;
          } else {
            const samples: number[] = [];
            const first = timeOnce(() => impl(x, w, dy, s));
            const n = first > 2000 ? 1 : reps;
            if (n === 1) samples.push(first);
            else for (let r = 0; r < n; r++) samples.push(timeOnce(() => impl(x, w, dy, s)));
            cell = median(samples);
            if (n === 1) note = `${note ? `${note}; ` : ''}1 rep (slow)`;
          }
        }
        if (isTfjs && typeof cell === 'number') tfjsMs = cell;
        const speedup = !isTfjs && tfjsMs !== null && typeof cell === 'number' ? `${(tfjsMs / cell).toFixed(1)}×` : '';
        const shapeText = `${s.label}`;
        console.log([shapeText.padEnd(26), s.kernel.padEnd(36), name.padEnd(14), fmt(cell).padStart(10), speedup.padStart(8), ` ${note}`].join(' ').trimEnd());
      }
      tf.dispose([x, w, dy, p.x, p.w, p.dy]);
    }
  }
}
