/**
 * `pnpm exec tsx research/bench-heap-placement.ts [--only TEXT] [--show TEXT] [--calls N]`: where on
 * the wasm heap do the operands of MobileNet's depthwise passes land in `pnpm bench kernels --native`?
 * (issue 11: dw7's filter gradient ran at 28.5–31.9 G multiply-adds/s natively in full paired bench
 * runs and 35–39 when the bench ran dw7 alone; research/depthwise-aliasing.cpp found the primitive slow
 * when diff_dst lies within about 128 bytes of src modulo 2 KiB.)
 *
 * Replays the bench's allocations without timing them: for each shape (those whose name contains
 * TEXT), every pass under `wasm` and then under `wasm+dnnl`, N calls each (default 5), as the bench's
 * passCall makes them. For the native passes of the depthwise shapes whose name contains --show, it
 * prints where the pass's
 * large tensors (64 KiB or more) start modulo 4 KiB, in the order they were made (passCall's x and
 * dy, then each call's output), and how far apart the two activations the pass streams together lie
 * modulo 4 KiB on each call (forward: x and its output; input gradient: dy and its output; filter
 * gradient: x and dy). The bench's own calls per rep differ, so this is the placement of a similar
 * history, not the very run's.
 *
 * Answers (offsets, no timing):
 * - 2026-12-07 09:35 UTC (`nice 19`), 64-byte alignment only: dw7's (dy − x) mod 2048 = 64 after every
 *   shape (the full bench's order), the slow state; after the depthwise shapes alone 128 (slow); dw7
 *   alone 896 (fast), as the timings found.
 * - 10:02–10:06 UTC, with the eight-start stagger of native5: 768 in all three cases.
 * - 11:14–11:35 UTC (`nice 19`, `--calls 8`, the same stagger, commit bcf3596; this version of the
 *   script): each call's output takes another of the six free starts, call by call. dw5's forward
 *   outputs lie 256–1,792 bytes before x modulo 4 KiB on every call (x at 0; outputs at 3584 2304 3072
 *   3840 2560 3328); its input gradient's 512–2,304 after dy; dw7's forward outputs on both sides
 *   (256–512 after, 256–1,024 before). x and dy 768 apart in every depthwise pass.
 * - 11:35–11:58 UTC (`--calls 4`, `--only mnet` and then every shape), a variant tried and not kept
 *   (placement from the live set, not merged; docs/native-kernels.md §11): every
 *   depthwise pass alike, x at 0, dy at 1,280 and every call's output at 2,560 modulo 4 KiB.
 *
 * --only TEXT   bench shapes replayed, whose name contains TEXT (default: all)
 * --show TEXT   native passes printed, of the replayed depthwise shapes whose name contains TEXT
 *               (default mnet-dw: all of them)
 * --calls N     calls per pass (default 5)
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@yoto/core';
import { parseFlagsOrExit } from '@yoto/flags';
import { PASSES, passCall, SHAPES } from '../packages/core/bench/native-conv.js';

const { flags } = parseFlagsOrExit(
  'bench-heap-placement',
  process.argv.slice(2),
  { only: { type: 'string', default: '' }, show: { type: 'string', default: 'mnet-dw' }, calls: { type: 'integer', min: 1, default: 5 } },
  'tsx research/bench-heap-placement.ts [--only TEXT] [--show TEXT] [--calls N]',
);
const shapes = SHAPES.filter((s) => s.name.includes(flags.only));
if (!shapes.some((s) => s.depthwise && s.name.includes(flags.show))) {
  console.error(`--show ${JSON.stringify(flags.show)} matches none of the replayed depthwise shapes (${shapes.filter((s) => s.depthwise).map((s) => s.name).join(', ') || 'none'})`);
  process.exit(1);
}

const LARGE = 64 * 1024;
const mod4k = (p: number) => ((p % 4096) + 4096) % 4096;
/** Large allocations made while `logging` is on, their heap offsets in order. */
let log: number[] | null = null;
let hooked = false;
/** Logs large allocations of the wasm module behind the current backend, on top of whatever wrapper it has. */
function hookAllocations() {
  if (hooked) return;
  const wasm = (tf.backend() as unknown as { wasm: { _malloc(bytes: number): number } }).wasm;
  const inner = wasm._malloc;
  wasm._malloc = (bytes: number) => {
    const p = inner(bytes);
    if (log && bytes >= LARGE) log.push(p);
    return p;
  };
  hooked = true;
}

for (const s of shapes)
  for (const backend of ['wasm', 'wasm+dnnl'] as const) {
    await initBackend(backend);
    for (const p of PASSES) {
      const show = backend === 'wasm+dnnl' && s.depthwise === true && s.name.includes(flags.show);
      if (show) {
        hookAllocations();
        log = [];
      }
      const call = passCall(s, p);
      const inputs = log ? [...log] : [];
      const outputs: number[] = [];
      for (let i = 0; i < flags.calls; i++) {
        const before = log?.length ?? 0;
        call.run().dispose();
        if (log) outputs.push(...log.slice(before));
      }
      call.dispose();
      log = null;
      if (!show) continue;
      // passCall makes x, then the filter (small for depthwise), then dy; a filter gradient's output is small.
      const [x, dy] = inputs;
      const together = p === 'filter-grad' ? [mod4k(dy - x)] : outputs.map((out) => mod4k(out - (p === 'forward' ? x : dy)));
      console.log(
        `${s.name} ${p}: x at ${mod4k(x)}, dy at ${mod4k(dy)} mod 4096; outputs at ${outputs.map(mod4k).join(' ') || '(small)'}; ` +
          `the two streamed activations ${together.join(' ')} bytes apart mod 4096`,
      );
    }
  }
