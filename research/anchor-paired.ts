/**
 * `YOTO_THREADS=1 pnpm exec tsx research/anchor-paired.ts [--only TEXT] [--pairs N] [--rep-ms MS] [--layout L]`:
 * is a native pass slower than the anchor when both are timed within the same second? (issue 11:
 * dw3's gradients read 0.57–1.50× the anchor from one run of `pnpm bench kernels --native --reference`
 * to the next, the same oneDNN primitives on both sides.)
 *
 * The bench times a shape's native passes, then runs the anchor for that shape, all its layouts: the
 * anchor's NHWC row comes 5–10 s after the native pass it is compared with, and on this machine a
 * depthwise pass can move by 2–3× in that time. Here each pair is one native rep and one anchor rep
 * timed back to back, by the bench's own rule and code (timeCalls with one rep: an untimed first
 * call, a warm-up rep that sets the calls, one timed rep; the anchor, bench/anchors/dnnl_conv.cpp, a
 * process per rep, same rule, only the named layout and pass), the order alternating from pair to
 * pair. Printed per shape and pass: each pair's ratio (native / anchor), their median, quartiles, and
 * each side's median in G multiply-adds/s.
 *
 * Answer (2026-12-07, both cores free, `uptime` load average 0.6–1.1): no steady gap to find on dw3.
 * `--only mnet --pairs 15` (05:42:22–05:43:40) gave medians (forward / input grad / filter grad)
 * dw5 0.94 / 0.91 / 1.00 and dw7 0.94 / 0.89 / 1.21, the middle half of the pairs within ±0.04, dw2
 * 0.93 / 0.85 / 0.95, but dw1 1.06 / 0.89 / 1.41 with input-gradient pairs from 0.48 to 1.61, and
 * dw3 0.69 / 0.42 / 0.75 (native 25.6 / 14.0 / 19.7 G multiply-adds/s, anchor 37.9 / 32.7 / 26.3).
 * Three more `--only mnet-dw3 --pairs 9` runs, each a fresh process (05:49:20–05:50:08): input
 * gradient 0.35, 1.22, 0.72 (native 11.4, 18.0, 11.6; anchor 31.2, 15.0, 16.0), forward 1.43, 0.92,
 * 0.99, filter gradient 2.05, 0.73, 0.89. Each side falls into a fast or a slow state that lasts
 * seconds to a whole run, on its own: the same primitives, timed in the same second, differ by up
 * to 2.4× either way. research/depthwise-hugepages.cpp points at where the pages lie.
 * bls a1 (`--only bls-a1 --pairs 11`, 05:45:47–05:46:02): forward 0.95, filter gradient 0.96
 * (native NHWC 52.4, anchor NHWC 52.6); the input gradient's 2.36 is against the anchor's NHWC row
 * while the native kernel runs plain.
 *
 * --only TEXT   bench shapes whose name contains TEXT (default mnet-dw3)
 * --pairs N     pairs per pass (default 15)
 * --rep-ms MS   a rep's length (default 40, the bench's)
 * --layout L    the anchor's layout: nhwc (default), blocked or plain
 */
import { initBackend } from '@yoto/core';
import { parseFlagsOrExit } from '@yoto/flags';
import { PASSES, passCall, runAnchor, SHAPES, timeCalls, type AnchorRow } from '../packages/core/bench/native-conv.js';

const { flags } = parseFlagsOrExit(
  'anchor-paired',
  process.argv.slice(2),
  {
    only: { type: 'string', default: 'mnet-dw3' },
    pairs: { type: 'integer', min: 1, default: 15 },
    'rep-ms': { type: 'number', above: 0, default: 40 },
    layout: { type: 'string', choices: ['nhwc', 'blocked', 'plain'], default: 'nhwc' },
  },
  'YOTO_THREADS=1 tsx research/anchor-paired.ts [--only TEXT] [--pairs N] [--rep-ms MS] [--layout nhwc|blocked|plain]',
);
const shapes = SHAPES.filter((s) => s.name.includes(flags.only));
if (shapes.length === 0) {
  console.error(`--only ${JSON.stringify(flags.only)} matches no bench shape (${SHAPES.map((s) => s.name).join(', ')})`);
  process.exit(1);
}
const info = await initBackend('wasm+dnnl');
if (!info.native) {
  console.error('anchor-paired: the native kernels are unavailable (see the line above), nothing to compare');
  process.exit(1);
}
const threads = info.native.threads;
const layout = flags.layout as AnchorRow['layout'];
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

console.log(`native / anchor (${layout}) per pair, one rep of ≥ ${flags['rep-ms']} ms each side, ${flags.pairs} pairs, oneDNN on ${threads} thread(s)`);
console.log(['shape'.padEnd(13), 'pass'.padEnd(11), 'median'.padStart(7), 'q1'.padStart(6), 'q3'.padStart(6), 'native'.padStart(7), 'anchor'.padStart(7), '  ratios per pair'].join(' '));
for (const shape of shapes)
  for (const pass of PASSES) {
    const c = passCall(shape, pass);
    const native = () => c.work / timeCalls(() => c.run().dispose(), 1, flags['rep-ms']).msPerCall / 1e6;
    const anchor = () => {
      const rows = runAnchor(threads, 1, flags['rep-ms'], shape.name, layout, pass);
      if (typeof rows === 'string' || rows.length !== 1) throw new Error(typeof rows === 'string' ? rows : `the anchor printed ${rows.length} rows for ${shape.name} ${pass}`);
      return rows[0].gmacs;
    };
    const sides: { native: number[]; anchor: number[]; ratio: number[] } = { native: [], anchor: [], ratio: [] };
    for (let i = 0; i < flags.pairs; i++) {
      let n: number, a: number;
      if (i % 2 === 0) (n = native()), (a = anchor());
      else (a = anchor()), (n = native());
      sides.native.push(n), sides.anchor.push(a), sides.ratio.push(n / a);
    }
    c.dispose();
    const r = sides.ratio;
    console.log(
      [
        shape.name.padEnd(13),
        pass.padEnd(11),
        quantile(r, 0.5).toFixed(2).padStart(7),
        quantile(r, 0.25).toFixed(2).padStart(6),
        quantile(r, 0.75).toFixed(2).padStart(6),
        quantile(sides.native, 0.5).toFixed(1).padStart(7),
        quantile(sides.anchor, 0.5).toFixed(1).padStart(7),
        '  ' + r.map((x) => x.toFixed(2)).join(' '),
      ].join(' '),
    );
  }
