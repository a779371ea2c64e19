import { describe, expect, it } from 'vitest';
import { Rng } from './rng.js';

describe('Rng', () => {
  it('is reproducible from a seed and from a saved state', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const xs = Array.from({ length: 5 }, () => a.uniform());
    expect(Array.from({ length: 5 }, () => b.uniform())).toEqual(xs);
    const saved = a.state();
    const next = Array.from({ length: 5 }, () => a.uniform());
    const c = new Rng(saved);
    expect(Array.from({ length: 5 }, () => c.uniform())).toEqual(next);
    expect(new Rng(43).uniform()).not.toEqual(new Rng(42).uniform());
  });

  it('has the moments of its distributions', () => {
    const r = new Rng(7);
    const n = 200_000;
    let su = 0, sn = 0, sn2 = 0, sg = 0;
    for (let i = 0; i < n; i++) {
      su += r.uniform();
      const z = r.normal();
      sn += z;
      sn2 += z * z;
      sg += r.gamma(2.5);
    }
    expect(su / n).toBeCloseTo(0.5, 2);
    expect(sn / n).toBeCloseTo(0, 2);
    expect(sn2 / n).toBeCloseTo(1, 1);
    expect(sg / n).toBeCloseTo(2.5, 1);
  });

  it('permutes without losing elements and rejects bad arguments', () => {
    const p = new Rng(1).permutation(1000);
    expect([...p].sort((x, y) => x - y)).toEqual([...Array(1000).keys()]);
    expect(() => new Rng(1).int(0)).toThrow(/positive integer/);
    expect(() => new Rng(Number.NaN)).toThrow(/finite/);
    expect(() => new Rng([1, 2, 3] as never)).toThrow(/four 32-bit/);
  });
});
