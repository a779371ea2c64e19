import { describe, expect, it } from 'vitest';
import { evaluationLogGrid } from './log-grid.js';
import { lambdaGrid } from './log-grid.js';

// The two hand-written grids this helper replaced (vae-beta-sweep's logSpace and the grid inside
// compression-rd-sweep's lambdaGrid), kept verbatim as references: the evaluation λ of stored
// experiments must not change by a bit, or resumed runs would be measured at other points.
function vaeLogSpace(low: number, high: number, n: number): number[] {
  const a = Math.log(low);
  const w = Math.log(high) - a;
  return Array.from({ length: n }, (_, k) => (k === 0 ? low : k === n - 1 ? high : Number(Math.exp(a + (w * k) / (n - 1)).toPrecision(12))));
}
function compressionGrid(low: number, high: number, n: number): number[] {
  const a = Math.log(low);
  const step = (Math.log(high) - a) / (n - 1);
  return Array.from({ length: n }, (_, k) => (k === 0 ? low : k === n - 1 ? high : Number(Math.exp(a + step * k).toPrecision(12))));
}

/** The ranges and point counts of every profile (vae-beta-sweep, compression-rd-sweep), then a spread of others. */
const CASES: [number, number, number][] = [
  [0.125, 64, 10],
  [0.125, 64, 19],
  [0.0018, 0.18, 5],
  [0.0018, 0.18, 9],
  [0.0018, 0.18, 17],
];
for (const low of [1e-4, 0.0018, 0.01, 0.125, 0.3, 1, 7])
  for (const decades of [0.5, 1, 2, 3.7])
    for (const n of [2, 3, 4, 5, 7, 9, 10, 11, 17, 19, 33]) CASES.push([low, low * 10 ** decades, n]);

describe('evaluationLogGrid (core logSpace, inner points to 12 digits)', () => {
  it('gives exactly the values of both hand-written grids it replaced', () => {
    for (const [low, high, n] of CASES) {
      const got = evaluationLogGrid(low, high, n);
      expect(got, `${low}…${high} × ${n}`).toEqual(vaeLogSpace(low, high, n));
      expect(got, `${low}…${high} × ${n}`).toEqual(compressionGrid(low, high, n));
    }
  });

  it('1/8 … 64 in 10 points is exactly the powers of two (what vae-beta-sweep relies on)', () => {
    expect(evaluationLogGrid(0.125, 64, 10)).toEqual([0.125, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64]);
  });

  it('keeps lambdaGrid on the default compression profile: nine points a factor 10^(1/4) apart, baselines on them', () => {
    const grid = lambdaGrid(0.0018, 0.18, 9, []);
    expect(grid).toHaveLength(9);
    expect(grid[0]).toBe(0.0018);
    expect(grid[8]).toBe(0.18);
    for (let k = 1; k < 9; k++) expect(grid[k] / grid[k - 1]).toBeCloseTo(10 ** 0.25, 9);
  });
});
