/**
 * `pnpm bench kernels --native [--reference] [--threads N] [--reps N] [--rep-ms MS] [--only TEXT]`: G multiply-adds/s
 * of each convolution pass on the benchmark models' shapes (shared/docs/benchmarks.md) and the
 * depthwise layers of the style task's MobileNet loss network, plain wasm (the kernels tfjs dispatches
 * under `wasm`: XNNPACK and this project's fixes) beside the same calls under `wasm+dnnl` (oneDNN in
 * place on the wasm heap). `--reference` builds and runs the anchor program (anchors/dnnl_conv.cpp:
 * oneDNN called directly on tensors in tfjs's layouts, activation reorders included, a filter
 * reordered once as the native kernels cache it) in the same sitting on the same thread count, the
 * ceiling the native kernels are held to.
 *
 * A pass of the depthwise shapes takes 0.1–1 ms, too short to time one call at a time on a shared
 * machine (medians of single calls moved by up to 0.4× between runs a minute apart). So a rep times a
 * batch of calls lasting at least `--rep-ms`, and the figure is the median over reps of the time per
 * call (timeCalls); the anchor times its calls by the same rule, for each shape right after its
 * native passes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend/init.js';
import { parseFlags } from '@yoto/flags';

/**
 * The anchors' shapes, under their names: batch, size, in → out channels, kernel, stride ('same').
 * Depthwise ones (multiplier 1, o = c) are MobileNet v1's on 256² images, batch 4.
 */
export const SHAPES: { name: string; n: number; h: number; c: number; o: number; k: number; s: number; depthwise?: true }[] = [
  { name: 'probe-5x5-64', n: 8, h: 64, c: 64, o: 64, k: 5, s: 1 },
  { name: 'vae-c2', n: 64, h: 14, c: 32, o: 64, k: 3, s: 2 },
  { name: 'bls-a1', n: 8, h: 128, c: 3, o: 64, k: 5, s: 2 },
  { name: 'bls-a2', n: 8, h: 64, c: 64, o: 64, k: 5, s: 2 },
  { name: 'bls-a4', n: 8, h: 16, c: 64, o: 96, k: 5, s: 2 },
  { name: 'style-res', n: 4, h: 64, c: 128, o: 128, k: 3, s: 1 },
  { name: 'mnet-dw1', n: 4, h: 128, c: 32, o: 32, k: 3, s: 1, depthwise: true },
  { name: 'mnet-dw2', n: 4, h: 128, c: 64, o: 64, k: 3, s: 2, depthwise: true },
  { name: 'mnet-dw3', n: 4, h: 64, c: 128, o: 128, k: 3, s: 1, depthwise: true },
  { name: 'mnet-dw5', n: 4, h: 32, c: 256, o: 256, k: 3, s: 1, depthwise: true },
  { name: 'mnet-dw7', n: 4, h: 16, c: 512, o: 512, k: 3, s: 1, depthwise: true },
];
export const PASSES = ['forward', 'input-grad', 'filter-grad'] as const;
export type PassName = (typeof PASSES)[number];

interface Options {
  reference: boolean;
  threads: number | null;
  reps: number;
  repMs: number;
  only: string | null;
}

export const NATIVE_HELP = `pnpm bench kernels --native [--reference] [--threads N] [--reps N] [--rep-ms MS] [--only TEXT]
  G multiply-adds/s per conv pass and benchmark shape (dense and MobileNet's depthwise): plain wasm vs
  wasm+dnnl (oneDNN on the wasm heap)
  --reference  also build and run the anchor (oneDNN direct: bench/anchors/dnnl_conv.cpp) on the
               same threads, each shape right after its native passes
  --threads    threads for oneDNN (sets YOTO_THREADS and the anchor's OMP_NUM_THREADS; default: all cores)
  --reps       reps per figure (default 7): the figure is the median over reps of the time per call
  --rep-ms     a rep times a batch of back-to-back calls lasting at least MS (default 40); the calls
               per rep come from a warm-up as long as one rep, after one untimed first call (which
               builds oneDNN's primitive). The anchor times its calls the same way
  --only       shapes whose name contains TEXT`;

export function parseNativeArgs(args: string[]): Options {
  const { flags: f } = parseFlags(
    'bench kernels --native',
    args,
    {
      native: { type: 'boolean' },
      reference: { type: 'boolean' },
      threads: { type: 'integer', min: 1 },
      reps: { type: 'integer', min: 1, default: 7 },
      'rep-ms': { type: 'number', above: 0, default: 40 },
      only: { type: 'string' },
    },
    'pnpm bench kernels --native [--reference] [--threads N] [--reps N] [--rep-ms MS] [--only TEXT]',
  );
  return { reference: f.reference, threads: f.threads ?? null, reps: f.reps, repMs: f['rep-ms'], only: f.only ?? null };
}

export type Shape = (typeof SHAPES)[number];

/** One pass of a shape as tfjs calls the kernel: its multiply-adds, the call (returning the output), and freeing its inputs. */
export function passCall(shape: Shape, pass: PassName): { work: number; run: () => tf.Tensor; dispose: () => void } {
  const { n, h, c, o, k, s, depthwise } = shape;
  const oh = Math.ceil(h / s);
  const filterShape = depthwise ? [k, k, c, o / c] : [k, k, c, o];
  const x = tf.randomNormal([n, h, h, c], 0, 1, 'float32', 1);
  const w = tf.randomNormal(filterShape, 0, 1, 'float32', 2);
  const dy = tf.randomNormal([n, oh, oh, o], 0, 1, 'float32', 3);
  const common = { strides: s, pad: 'same', dataFormat: 'NHWC', dilations: 1 };
  const run = (name: string, inputs: tf.NamedTensorMap, attrs: object) => () => tf.engine().runKernel(name, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
  const kernel = depthwise ? 'DepthwiseConv2dNative' : 'Conv2D';
  const calls: Record<PassName, () => tf.Tensor> = {
    forward: run(kernel, { x, filter: w }, common),
    'input-grad': run(`${kernel}BackpropInput`, { dy, filter: w }, { ...common, inputShape: [n, h, h, c] }),
    'filter-grad': run(`${kernel}BackpropFilter`, { x, dy }, { ...common, filterShape }),
  };
  return { work: (n * oh * oh * o * c * k * k) / (depthwise ? c : 1), run: calls[pass], dispose: () => tf.dispose([x, w, dy]) };
}

/** A timing: the median over reps of the time per call, the calls per rep, and the reps' spread. */
export interface Timing {
  msPerCall: number;
  calls: number;
  /** (slowest − fastest rep) / median, per call: how far the reps agree. */
  spread: number;
}

/**
 * Times `run` by batches: one untimed first call, then a warm-up of back-to-back calls lasting one rep
 * (at least two) that sets the calls per rep, then `reps` reps of that many calls each. The rule is
 * the anchor's too (anchors/dnnl_conv.cpp, time_calls).
 */
export function timeCalls(run: () => void, reps: number, repMs: number, now: () => number = () => performance.now()): Timing {
  run();
  let n = 0;
  const w0 = now();
  while (n < 2 || now() - w0 < repMs) {
    run();
    n++;
  }
  const calls = Math.max(1, Math.ceil(repMs / ((now() - w0) / n)));
  const perCall: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = now();
    for (let i = 0; i < calls; i++) run();
    perCall.push((now() - t0) / calls);
  }
  perCall.sort((a, b) => a - b);
  const msPerCall = perCall[perCall.length >> 1];
  return { msPerCall, calls, spread: (perCall[perCall.length - 1] - perCall[0]) / msPerCall };
}

/** G multiply-adds/s of one pass on the active backend, timed by timeCalls. */
function gmacs(shape: Shape, pass: PassName, reps: number, repMs: number): { gmacs: number; timing: Timing } {
  const c = passCall(shape, pass);
  // Both backends compute synchronously inside the kernel call, so the call alone is timed. Reading
  // the result back (dataSync) would add a copy into a fresh JS ArrayBuffer, which costs 2.5–45 ms
  // for an 8 MB output on this machine (allocation and GC, measured), more than some whole passes.
  // Disposing the output is timed with the call: training frees each output too, and keeping a
  // rep's outputs alive would grow the heap by up to hundreds of MB.
  const timing = timeCalls(() => c.run().dispose(), reps, repMs);
  c.dispose();
  return { gmacs: c.work / timing.msPerCall / 1e6, timing };
}

export interface AnchorRow {
  shape: string;
  pass: PassName;
  layout: 'plain' | 'blocked' | 'nhwc';
  gmacs: number;
  /** Calls per rep. */
  calls: number;
}

const here = dirname(fileURLToPath(import.meta.url));
/** The anchor program: oneDNN called directly on every shape, timed like the native side. */
const ANCHOR = join(here, 'anchors', 'dnnl_conv.cpp');

let built: string | undefined;

/**
 * Builds the anchor (once) and runs it on one shape (all its layouts and passes, or the one named);
 * its JSON lines, or why not.
 */
export function runAnchor(threads: number, reps: number, repMs: number, shape: string, layout: AnchorRow['layout'] | 'all' = 'all', pass: PassName | 'all' = 'all'): AnchorRow[] | string {
  let exe = built;
  if (exe === undefined) {
    exe = join(mkdtempSync(join(tmpdir(), 'dnnl-anchor-')), 'anchor');
    const build = spawnSync('g++', ['-O2', '-std=c++17', ANCHOR, '-ldnnl', '-o', exe], { encoding: 'utf8' });
    if (build.status !== 0) return `g++ failed on ${ANCHOR} (needs libdnnl-dev): ${(build.stderr || build.error?.message || '').trim().split('\n')[0]}`;
    built = exe;
  }
  const r = spawnSync(exe, [String(reps), String(repMs), shape, layout, pass], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: String(threads) } });
  if (r.status !== 0) return `the anchor ${ANCHOR} exited with ${r.status}: ${r.stderr.trim().split('\n')[0]}`;
  // Its result lines only (DNNL_VERBOSE=1 interleaves oneDNN's own).
  return r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as AnchorRow);
}

export async function mainNative(args: string[]): Promise<number> {
  const o = parseNativeArgs(args);
  if (o.threads !== null) process.env.YOTO_THREADS = String(o.threads);
  const shapes = SHAPES.filter((s) => !o.only || s.name.includes(o.only));
  if (shapes.length === 0) throw new Error(`--only ${JSON.stringify(o.only)} matches no shape (${SHAPES.map((s) => s.name).join(', ')})`);
  const results = new Map<string, { gmacs: number; timing: Timing }>();
  const key = (backend: string, shape: string, pass: string) => `${backend}/${shape}/${pass}`;
  let threads = 1;
  // Shape by shape, each shape's anchor right after its native passes: the machine's load drifts over
  // minutes (an anchor run a minute after the native passes moved their ratio by up to 1.2×), so the
  // two sides of a ratio are measured seconds apart.
  // The anchor's rows so far, or why it could not run (not tried again), or null without --reference.
  let anchor: AnchorRow[] | string | null = o.reference ? [] : null;
  for (const s of shapes) {
    for (const backend of ['wasm', 'wasm+dnnl'] as const) {
      const info = await initBackend(backend);
      if (info.native) threads = info.native.threads;
      for (const p of PASSES) results.set(key(backend, s.name, p), gmacs(s, p, o.reps, o.repMs));
    }
    if (Array.isArray(anchor)) {
      const r = runAnchor(threads, o.reps, o.repMs, s.name);
      anchor = typeof r === 'string' ? r : [...anchor, ...r];
    }
  }
  const row = (shape: string, pass: string, layout: string) => (Array.isArray(anchor) ? anchor.find((r) => r.shape === shape && r.pass === pass && r.layout === layout) : undefined);
  console.log(`conv passes, G multiply-adds/s (median over ${o.reps} reps of ≥ ${o.repMs} ms each, per call); oneDNN on ${threads} thread(s); wasm is single-threaded`);
  console.log('calls: wasm+dnnl calls per rep; spread: (slowest − fastest rep) / median, wasm+dnnl');
  const head = ['shape'.padEnd(13), 'pass'.padEnd(11), 'wasm'.padStart(7), 'wasm+dnnl'.padStart(10), 'calls'.padStart(6), 'spread'.padStart(7), 'speed-up'.padStart(9)];
  if (anchor) head.push('anchor blocked'.padStart(15), 'anchor plain'.padStart(13), 'anchor nhwc'.padStart(12), 'native/anchor'.padStart(14), 'anchor calls'.padStart(13));
  console.log(head.join(' '));
  for (const s of shapes)
    for (const p of PASSES) {
      const w = results.get(key('wasm', s.name, p))!.gmacs;
      const { gmacs: d, timing } = results.get(key('wasm+dnnl', s.name, p))!;
      const line = [
        s.name.padEnd(13),
        p.padEnd(11),
        w.toFixed(1).padStart(7),
        d.toFixed(1).padStart(10),
        String(timing.calls).padStart(6),
        `${(timing.spread * 100).toFixed(0)}%`.padStart(7),
        `${(d / w).toFixed(1)}×`.padStart(9),
      ];
      if (Array.isArray(anchor)) {
        const [b, pl, nh] = (['blocked', 'plain', 'nhwc'] as const).map((layout) => row(s.name, p, layout));
        // Held to the anchor's best strategy for the pass.
        const top = [b, pl, nh].reduce<AnchorRow | undefined>((t, r) => (r && r.gmacs > (t?.gmacs ?? 0) ? r : t), undefined);
        line.push(
          (b?.gmacs.toFixed(1) ?? '—').padStart(15),
          (pl?.gmacs.toFixed(1) ?? '—').padStart(13),
          (nh?.gmacs.toFixed(1) ?? '—').padStart(12),
          (top ? `${(d / top.gmacs).toFixed(2)}` : '—').padStart(14),
          String(top?.calls ?? '—').padStart(13),
        );
      }
      console.log(line.join(' '));
    }
  if (typeof anchor === 'string') {
    console.error(`--reference: ${anchor}`);
    return 1;
  }
  return 0;
}
