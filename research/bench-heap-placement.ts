/**
 * `pnpm exec tsx research/bench-heap-placement.ts [--only TEXT]`: where on the wasm heap do the
 * operands of MobileNet dw7's filter gradient land in `pnpm bench kernels --native`? (issue 11: that
 * pass ran at 28.5–31.9 G multiply-adds/s natively in full paired bench runs and 35–39 when the bench
 * ran dw7 alone; research/depthwise-aliasing.cpp found the primitive slow when diff_dst lies within
 * about 128 bytes of src modulo 2 KiB.)
 *
 * Replays the bench's allocations without timing them: for each shape (those whose name contains
 * TEXT), every pass under `wasm` and then under `wasm+dnnl`, five calls each, as the bench's passCall
 * makes them; at dw7's native filter gradient it makes x and dy as passCall does and prints their heap
 * offsets and (dy − x) mod 2048. The bench's own calls per rep differ, so this is the placement of a
 * similar history, not the very run's.
 *
 * Answer (2026-12-07 09:35 UTC, at `nice 19`; offsets, no timing): after every shape (the full bench's
 * order), (dy − x) mod 2048 = 64, the slow state; after the depthwise shapes alone 128 (slow); dw7
 * alone 896 (fast), as the timings found.
 *
 * --only TEXT   bench shapes whose name contains TEXT (default: all; dw7 must be among them)
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@yoto/core';
import { parseFlagsOrExit } from '@yoto/flags';
import { PASSES, passCall, SHAPES } from '../packages/core/bench/native-conv.js';

const { flags } = parseFlagsOrExit('bench-heap-placement', process.argv.slice(2), { only: { type: 'string', default: '' } }, 'tsx research/bench-heap-placement.ts [--only TEXT]');
const shapes = SHAPES.filter((s) => s.name.includes(flags.only));
if (!shapes.some((s) => s.name === 'mnet-dw7')) {
  console.error(`--only ${JSON.stringify(flags.only)} must keep mnet-dw7 (it keeps ${shapes.map((s) => s.name).join(', ') || 'nothing'})`);
  process.exit(1);
}
const offset = (t: tf.Tensor) => (tf.backend() as unknown as { dataIdMap: { get(d: object): { memoryOffset: number } } }).dataIdMap.get(t.dataId).memoryOffset;
for (const s of shapes)
  for (const backend of ['wasm', 'wasm+dnnl'] as const) {
    await initBackend(backend);
    for (const p of PASSES) {
      if (s.name === 'mnet-dw7' && p === 'filter-grad' && backend === 'wasm+dnnl') {
        // passCall's three tensors, in its order.
        const x = tf.randomNormal([s.n, s.h, s.h, s.c], 0, 1, 'float32', 1);
        const w = tf.randomNormal([s.k, s.k, s.c, 1], 0, 1, 'float32', 2);
        const dy = tf.randomNormal([s.n, s.h, s.h, s.o], 0, 1, 'float32', 3);
        console.log(`dw7 filter gradient: x at ${offset(x)}, dy at ${offset(dy)}, (dy − x) mod 2048 = ${(((offset(dy) - offset(x)) % 2048) + 2048) % 2048}`);
        tf.dispose([x, w, dy]);
        continue;
      }
      const call = passCall(s, p);
      for (let i = 0; i < 5; i++) call.run().dispose();
      call.dispose();
    }
  }
