/**
 * `pnpm bench kernels --native [--reference] [--threads N] [--reps N] [--rep-ms MS] [--only TEXT]`: G multiply-adds/s
 * of each convolution pass on the benchmark models' shapes (shared/docs/benchmarks.md) and the
 * depthwise layers of the style task's MobileNet loss network, plain wasm (the kernels tfjs dispatches
 * under `wasm`: XNNPACK and this project's fixes) beside the same calls under `wasm+dnnl` (oneDNN in
 * place on the wasm heap). `--reference` builds and runs the anchor program (anchors/dnnl_conv.cpp:
 * oneDNN called directly on tensors in tfjs's layouts, activation reorders included, a filter
 * reordered once as the native kernels cache it) on the same thread count, the ceiling the native
 * kernels are held to, each native rep paired with an anchor rep of the same shape, pass and layout
 * (paired.ts says how and why).
 */
import * as tf from '@tensorflow/tfjs';
import { convLayout, type PassName as NativePass } from '@yoto/tfjs-dnnl';
import { initBackend } from '../src/backend/init.js';
import { threadBudget } from '../src/backend/threads.js';
import { parseFlags } from '@yoto/flags';
import { Anchor, ANCHOR_LAYOUTS, ANCHOR_SOURCE, type AnchorLayout } from './anchor.js';
// Quantiles by rank (one of the values): the quartiles docs/native-kernels.md quotes were taken so.
import { rankQuantile } from '@yoto/bench-stats';
import { callsPerRep, pairedRounds, timeBatch, timeRep } from './paired.js';
import { pinningReport, requestPinning, threadCpus, type PinRequest } from './pin.js';

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

/** Issue 11's target: every pass at least this fraction of the anchor, on one thread. */
const TARGET = 0.8;

interface Options {
  reference: boolean;
  threads: number | null;
  reps: number;
  repMs: number;
  only: string | null;
  pin: boolean;
}

export const NATIVE_HELP = `pnpm bench kernels --native [--reference] [--threads N] [--reps N] [--rep-ms MS] [--only TEXT] [--no-pin]
  G multiply-adds/s per conv pass and benchmark shape (dense and MobileNet's depthwise): plain wasm vs
  wasm+dnnl (oneDNN on the wasm heap)
  --reference  also build and run the anchor (oneDNN direct: bench/anchors/dnnl_conv.cpp) on the same
               threads, paired: each native rep right beside an anchor rep of the same shape, pass and
               layout, the order alternating, in rounds that also time the anchor's other layouts. A
               pass's ratio is the median over pairs of native / anchor within the pair, and meets the
               target when it is ≥ ${TARGET}
  --threads    threads for oneDNN (sets YOTO_THREADS and the anchor's OMP_NUM_THREADS; default: all cores)
  --reps       reps per figure (default 7; with --reference, pairs per pass): a figure is the median
               over reps of the time per call
  --rep-ms     a rep times a batch of back-to-back calls lasting at least MS (default 40); the calls
               per rep come from a warm-up as long as one rep, after one untimed first call (which
               builds oneDNN's primitive). A paired rep starts with one more untimed call (the other
               side's rep ran last). The anchor times its calls the same way
  --only       shapes whose name contains TEXT
  --no-pin     let the scheduler place the threads. By default oneDNN's threads are pinned one per core
               (the last N cores; OMP_PLACES and OMP_PROC_BIND, which the anchor inherits), so that the
               kernels' thread and the anchor run on the same cores (pin.ts says why). An OMP_PLACES or
               OMP_PROC_BIND you set is left as it is`;

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
      'no-pin': { type: 'boolean' },
    },
    'pnpm bench kernels --native [--reference] [--threads N] [--reps N] [--rep-ms MS] [--only TEXT] [--no-pin]',
  );
  return { reference: f.reference, threads: f.threads ?? null, reps: f.reps, repMs: f['rep-ms'], only: f.only ?? null, pin: !f['no-pin'] };
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

const NATIVE_PASS: Record<PassName, NativePass> = { forward: 'forward', 'input-grad': 'backwardData', 'filter-grad': 'backwardWeights' };

/** The layout the native kernels run a pass of the shape in (convLayout in @yoto/tfjs-dnnl). */
function nativeLayout(shape: Shape, pass: PassName): AnchorLayout {
  const { n, h, c, o, k, s, depthwise } = shape;
  const info = tf.backend_util.computeConv2DInfo([n, h, h, c], [k, k, c, depthwise ? o / c : o], s, 1, 'same', undefined, depthwise);
  return convLayout(NATIVE_PASS[pass], info, depthwise ? c : 1);
}

/** A timing: the median over reps of the time per call, the calls per rep, and the reps' spread. */
export interface Timing {
  msPerCall: number;
  calls: number;
  /** (slowest − fastest rep) / median, per call: how far the reps agree. */
  spread: number;
}

/** Times `run` unpaired: the calls per rep from a warm-up (callsPerRep), then `reps` reps of that many calls. */
export function timeCalls(run: () => void, reps: number, repMs: number): Timing {
  const calls = callsPerRep(run, repMs);
  const perCall = Array.from({ length: reps }, () => timeBatch(run, calls));
  const msPerCall = rankQuantile(perCall, 0.5);
  return { msPerCall, calls, spread: (Math.max(...perCall) - Math.min(...perCall)) / msPerCall };
}

/** G multiply-adds/s from multiply-adds and ms per call. */
const gmacsOf = (work: number, ms: number) => work / ms / 1e6;

/** A pass paired with the anchor: per side, its G multiply-adds/s per round. */
interface PairedPass {
  layout: AnchorLayout;
  calls: { native: number; anchor: number };
  native: number[];
  /** The anchor per layout, the native kernels' own first. */
  anchor: Map<AnchorLayout, number[]>;
}

/**
 * `reps` rounds of one native rep, one anchor rep in the native kernels' layout right beside it, and
 * one anchor rep in each other layout (whether another layout would serve the pass better), the
 * order reversed every other round.
 */
async function pairPass(anchor: Anchor, shape: Shape, pass: PassName, reps: number, repMs: number): Promise<PairedPass> {
  const c = passCall(shape, pass);
  const run = () => c.run().dispose();
  const layout = nativeLayout(shape, pass);
  const layouts = [layout, ...ANCHOR_LAYOUTS.filter((l) => l !== layout)];
  const nativeCalls = callsPerRep(run, repMs);
  const anchorCalls = new Map<AnchorLayout, number>();
  for (const l of layouts) anchorCalls.set(l, await anchor.calls(shape.name, l, pass, repMs));
  const [native, ...anchors] = await pairedRounds(
    [() => timeRep(run, nativeCalls), ...layouts.map((l) => async () => (await anchor.rep(shape.name, l, pass, anchorCalls.get(l)!)).ms)],
    reps,
  );
  c.dispose();
  return {
    layout,
    calls: { native: nativeCalls, anchor: anchorCalls.get(layout)! },
    native: native.map((ms) => gmacsOf(c.work, ms)),
    anchor: new Map(layouts.map((l, i) => [l, anchors[i].map((ms) => gmacsOf(c.work, ms))])),
  };
}

const fmt = (x: number, digits = 1) => x.toFixed(digits);

export async function mainNative(args: string[]): Promise<number> {
  const o = parseNativeArgs(args);
  if (o.threads !== null) process.env.YOTO_THREADS = String(o.threads);
  const shapes = SHAPES.filter((s) => !o.only || s.name.includes(o.only));
  if (shapes.length === 0) throw new Error(`--only ${JSON.stringify(o.only)} matches no shape (${SHAPES.map((s) => s.name).join(', ')})`);
  // Before the backend starts: the addon's OpenMP runtime binds the loading thread as it loads.
  const budget = threadBudget();
  const pin: PinRequest | null = o.pin ? requestPinning(budget) : null;
  // The anchor starts before that too: a process inherits the CPUs of the thread that starts it, so an
  // anchor started from this thread once pinned would have that one core for all its threads (with
  // --threads 2 it ran at one thread's speed, 2026-12-07). It binds itself from the same variables.
  let anchor: Anchor | null = null;
  if (o.reference) {
    const a = Anchor.start(budget);
    if (typeof a === 'string') {
      console.error(`--reference: ${a}`);
      return 1;
    }
    anchor = a;
  }
  try {
    const threads = (await initBackend('wasm+dnnl')).native?.threads;
    if (threads === undefined) {
      console.error('bench kernels --native: the native kernels are unavailable (see the line above)');
      return 1;
    }
    console.log(pinningReport(pin, threadCpus()));
    return o.reference ? await paired(anchor!, shapes, o, threads) : await unpaired(shapes, o, threads);
  } finally {
    anchor?.close();
  }
}

/** Plain wasm's figure for each pass of a shape (never paired: it is not what the target is about). */
async function wasmFigures(shape: Shape, o: Options): Promise<Map<PassName, number>> {
  await initBackend('wasm');
  const out = new Map<PassName, number>();
  for (const p of PASSES) {
    const c = passCall(shape, p);
    // Both backends compute synchronously inside the kernel call, so the call alone is timed. Reading
    // the result back (dataSync) would add a copy into a fresh JS ArrayBuffer, which costs 2.5–45 ms
    // for an 8 MB output on this machine (allocation and GC, measured), more than some whole passes.
    // Disposing the output is timed with the call: training frees each output too, and keeping a
    // rep's outputs alive would grow the heap by up to hundreds of MB.
    out.set(p, gmacsOf(c.work, timeCalls(() => c.run().dispose(), o.reps, o.repMs).msPerCall));
    c.dispose();
  }
  return out;
}

/** Native beside plain wasm, no anchor: each figure the median of `reps` reps. */
async function unpaired(shapes: Shape[], o: Options, threads: number): Promise<number> {
  console.log(`conv passes, G multiply-adds/s (median over ${o.reps} reps of ≥ ${o.repMs} ms each, per call); oneDNN on ${threads} thread(s); wasm is single-threaded`);
  console.log('calls: wasm+dnnl calls per rep; spread: (slowest − fastest rep) / median, wasm+dnnl');
  console.log(['shape'.padEnd(13), 'pass'.padEnd(11), 'wasm'.padStart(7), 'wasm+dnnl'.padStart(10), 'calls'.padStart(6), 'spread'.padStart(7), 'speed-up'.padStart(9)].join(' '));
  for (const s of shapes) {
    const wasm = await wasmFigures(s, o);
    await initBackend('wasm+dnnl');
    for (const p of PASSES) {
      const c = passCall(s, p);
      const t = timeCalls(() => c.run().dispose(), o.reps, o.repMs);
      c.dispose();
      const w = wasm.get(p)!;
      const d = gmacsOf(c.work, t.msPerCall);
      console.log(
        [s.name.padEnd(13), p.padEnd(11), fmt(w).padStart(7), fmt(d).padStart(10), String(t.calls).padStart(6), `${fmt(t.spread * 100, 0)}%`.padStart(7), `${fmt(d / w)}×`.padStart(9)].join(' '),
      );
    }
  }
  return 0;
}

/** Native paired with the anchor, pass by pass; met or missed per pass and the count. */
async function paired(anchor: Anchor, shapes: Shape[], o: Options, threads: number): Promise<number> {
  console.log(`conv passes, G multiply-adds/s; oneDNN on ${threads} thread(s), wasm single-threaded; ${o.reps} reps of ≥ ${o.repMs} ms per figure`);
  console.log(`native paired with the anchor (${ANCHOR_SOURCE}) in the native kernels' layout: one rep each, back to back, the order alternating`);
  console.log(`×anchor: median over pairs of native / anchor (q1–q3: quartiles); target ≥ ${TARGET}. ×best: median over rounds of native / the anchor's fastest layout in the round`);
  console.log('native, anchor, blocked, plain, nhwc: medians over reps (the last three: the anchor in each layout); calls: per rep, native/anchor');
  const head = ['shape', 'pass', 'wasm', 'native', 'layout', 'anchor', '×anchor', 'q1–q3', 'target', 'blocked', 'plain', 'nhwc', '×best', 'calls'];
  const widths = [13, 11, 6, 7, 7, 7, 8, 10, 7, 8, 7, 7, 6, 8];
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' ');
  console.log(line(head));
  const missed: string[] = [];
  let met = 0;
  let metBest = 0;
  for (const s of shapes) {
    const wasm = await wasmFigures(s, o);
    await initBackend('wasm+dnnl');
    for (const p of PASSES) {
      const r = await pairPass(anchor, s, p, o.reps, o.repMs);
      const same = r.anchor.get(r.layout)!;
      const ratios = r.native.map((n, i) => n / same[i]);
      const best = r.native.map((n, i) => n / Math.max(...[...r.anchor.values()].map((a) => a[i])));
      const ratio = rankQuantile(ratios, 0.5);
      const ok = ratio >= TARGET;
      if (ok) met++;
      else missed.push(`${s.name} ${p} ${fmt(ratio, 2)}`);
      if (rankQuantile(best, 0.5) >= TARGET) metBest++;
      const median = (l: AnchorLayout) => fmt(rankQuantile(r.anchor.get(l)!, 0.5));
      console.log(
        line([
          s.name,
          p,
          fmt(wasm.get(p)!),
          fmt(rankQuantile(r.native, 0.5)),
          r.layout,
          median(r.layout),
          fmt(ratio, 2),
          `${fmt(rankQuantile(ratios, 0.25), 2)}–${fmt(rankQuantile(ratios, 0.75), 2)}`,
          ok ? 'met' : 'MISSED',
          median('blocked'),
          median('plain'),
          median('nhwc'),
          fmt(rankQuantile(best, 0.5), 2),
          `${r.calls.native}/${r.calls.anchor}`,
        ]),
      );
    }
  }
  const total = shapes.length * PASSES.length;
  console.log(`target ≥ ${TARGET}× the anchor (median pair ratio): met on ${met} of ${total} passes${missed.length ? `; missed: ${missed.join(', ')}` : ''}`);
  console.log(`against the anchor's fastest layout in each round: ${metBest} of ${total}`);
  return 0;
}
