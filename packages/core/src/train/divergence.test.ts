import { describe, expect, it } from 'vitest';
import { DIVERGED_CONTROL, HEALTHY_YOTO } from './__fixtures__/run-losses.js';
import { DIVERGENCE_RULE, DivergenceGuard, type DivergenceGuardState, type DivergenceRule } from './divergence.js';

/** Feeds `losses` step by step; the step index at which the guard fired and what it saw, or null. */
function firstFiring(losses: Iterable<number>, rule: DivergenceRule = DIVERGENCE_RULE) {
  const guard = new DivergenceGuard(rule);
  let step = 0;
  for (const loss of losses) {
    const d = guard.observe(loss);
    if (d) return { step, floor: d.floor, ceiling: d.ceiling };
    step++;
  }
  return null;
}

/** The logged losses (every 10th step) held for the 10 steps each stands for. */
function* held(logged: readonly number[]): Generator<number> {
  for (const v of logged) for (let i = 0; i < 10; i++) yield v;
}

describe('DivergenceGuard', () => {
  it('stops the diverged compression control ~100 steps after its blow-up, at its logged losses', () => {
    // 3.6e6 at step 260 (the first loss above 100 × 10.3): the window of 100 is complete at step 359.
    expect(firstFiring(held(DIVERGED_CONTROL))).toEqual({ step: 359, floor: 10.3, ceiling: 107 });
  });

  it('lets the healthy compression YOTO run through, with the measured margin', () => {
    expect(firstFiring(held(HEALTHY_YOTO))).toBeNull();
    // Its 100-step windows rise up to 5.66× the lowest loss before them: without the warm-up ceiling the
    // rule would fire at factor 5.5, not at 6 (the default's 100 is 17× that).
    expect(firstFiring(held(HEALTHY_YOTO), { warmup: 0, window: 100, factor: 6 })).toBeNull();
    expect(firstFiring(held(HEALTHY_YOTO), { warmup: 0, window: 100, factor: 5.5 })).toMatchObject({ step: 829 });
  });

  it('ignores spikes, however high, that do not last the window', () => {
    const losses = Array.from({ length: 2000 }, (_v, i) => (i % 150 === 149 ? 1e20 : i % 7 === 3 ? 1.39e4 : 10 - i / 1000));
    expect(firstFiring(losses)).toBeNull();
    // 99 steps up are not enough, 100 are.
    const run = (up: number) => [...Array(200).fill(10), ...Array(up).fill(1e6), ...Array(10).fill(10)];
    expect(firstFiring(run(99))).toBeNull();
    expect(firstFiring(run(100))).toEqual({ step: 299, floor: 10, ceiling: 10 });
  });

  it('needs both: above the factor over the floor and above the warm-up’s highest loss', () => {
    // A loss that falls to ~0 and then wobbles at 1000× its lowest value stays far below where it started.
    const converging = [...Array(100).fill(5), ...Array(100).fill(1e-12), ...Array(500).fill(1e-9)];
    expect(firstFiring(converging)).toBeNull();
    // Above the warm-up's highest loss but within the factor of the floor: not diverged.
    const drifting = [...Array(100).fill(5), ...Array(100).fill(1), ...Array(500).fill(50)];
    expect(firstFiring(drifting)).toBeNull();
    expect(firstFiring([...drifting.slice(0, 200), ...Array(500).fill(101)])).toMatchObject({ step: 299 });
  });

  it('continues from its state through JSON as if never interrupted; a state of another rule, or none, starts afresh', () => {
    const losses = [...Array(200).fill(10), ...Array(300).fill(1e6)];
    const straight = firstFiring(losses);
    expect(straight).toEqual({ step: 299, floor: 10, ceiling: 10 });
    // Interrupted at every boundary of interest: before the warm-up ends, after, and inside the window.
    for (const at of [0, 50, 100, 150, 250]) {
      const before = new DivergenceGuard();
      for (const loss of losses.slice(0, at)) expect(before.observe(loss)).toBeNull();
      const state = JSON.parse(JSON.stringify(before.state())) as DivergenceGuardState;
      const after = DivergenceGuard.restore(state);
      const fired = losses.slice(at).findIndex((loss) => after.observe(loss) !== null);
      expect(at + fired).toBe(299);
    }
    // A fresh guard from step 150 counts the diverged steps 200…249 into its warm-up: it never fires.
    const blind = DivergenceGuard.restore(undefined);
    expect(losses.slice(150).some((loss) => blind.observe(loss) !== null)).toBe(false);
    const other = new DivergenceGuard({ warmup: 10, window: 100, factor: 100 });
    for (const loss of losses.slice(0, 150)) other.observe(loss);
    const renewed = DivergenceGuard.restore(other.state());
    expect(renewed.state()).toEqual({ rule: DIVERGENCE_RULE, seen: 0, ceiling: null, floor: null, streak: 0 });
  });

  it('is off for losses ≤ 0 (a factor over such a floor says nothing)', () => {
    expect(firstFiring([...Array(100).fill(5), -1, ...Array(500).fill(1e9)])).toBeNull();
    expect(firstFiring([...Array(100).fill(5), 0, ...Array(500).fill(1e9)])).toBeNull();
  });
});
