/**
 * How `pnpm bench kernels --native` times a pass, and how `--reference` pairs the native kernel with
 * the anchor (issue 11's target: every pass ≥ 0.8× oneDNN called directly, on one thread).
 *
 * A rep is a batch of back-to-back calls lasting at least `--rep-ms` (a depthwise pass takes 0.1–1 ms,
 * too short to time alone); the calls per rep come from a warm-up as long as one rep. The anchor
 * (anchors/dnnl_conv.cpp) runs the same rule in C++.
 *
 * Why pairs: on this machine one pass, the same oneDNN primitive, falls into a fast or a slow state
 * that lasts seconds to a whole process (2026-12-07: the anchor's dw3 input gradient read 31.2 and
 * 15.0 G multiply-adds/s in two processes a minute apart). The bench used to time a shape's native
 * passes and run the anchor 5–10 s later, so a ratio compared two states: two runs of
 * `pnpm bench kernels --native --reference --threads 1 --reps 11` on an idle machine (07:05–07:10
 * UTC) met the target on 24 and on 30 of 33 passes, different passes missing each time. Now every
 * native rep has an anchor rep of the same shape, pass and layout right beside it, the order
 * alternating from pair to pair (so neither side always runs on the caches and clock the other left),
 * and a pass's figure is the median over pairs of the ratio within each pair: a state that lasts
 * longer than a pair moves both sides of it.
 */

/** A clock in ms. */
export type Now = () => number;
const clock: Now = () => performance.now();

/**
 * Calls per rep: one untimed call (it builds a primitive or brings the operands into cache), then
 * back-to-back calls for at least `repMs` (at least two); their mean time sets how many fill a rep.
 */
export function callsPerRep(run: () => void, repMs: number, now: Now = clock): number {
  run();
  let n = 0;
  const w0 = now();
  while (n < 2 || now() - w0 < repMs) {
    run();
    n++;
  }
  return Math.max(1, Math.ceil(repMs / ((now() - w0) / n)));
}

/** `calls` back-to-back calls; ms per call. */
export function timeBatch(run: () => void, calls: number, now: Now = clock): number {
  const t0 = now();
  for (let i = 0; i < calls; i++) run();
  return (now() - t0) / calls;
}

/**
 * One rep of a pair: an untimed call (the other side's rep ran last and left its own operands in
 * cache), then `calls` timed calls; ms per call.
 */
export function timeRep(run: () => void, calls: number, now: Now = clock): number {
  run();
  return timeBatch(run, calls, now);
}

/**
 * `rounds` rounds of one rep per side, the sides in the given order in even rounds and reversed in
 * odd ones, so that the first two sides are always timed back to back; each side's result per round.
 */
export async function pairedRounds(sides: (() => number | Promise<number>)[], rounds: number): Promise<number[][]> {
  const out: number[][] = sides.map(() => []);
  for (let r = 0; r < rounds; r++) {
    const order = sides.map((_, i) => i);
    if (r % 2 === 1) order.reverse();
    for (const i of order) out[i].push(await sides[i]());
  }
  return out;
}
