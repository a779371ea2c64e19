// The tfjs-free subpath: experiment definitions are loaded by the CLI process, which should not load tfjs.
import { logSpace } from '@yoto/core/grid';

/**
 * `n` log-spaced values from low to high for an evaluation grid: core's `logSpace` (exact ends), with
 * the inner values rounded to 12 significant digits so that 2^k comes out as 2^k and λ that a
 * baseline also uses compare equal (the report matches YOTO points to baselines by value).
 */
export function evaluationLogGrid(low: number, high: number, n: number): number[] {
  return logSpace(low, high, n).map((v, k) => (k === 0 || k === n - 1 ? v : Number(v.toPrecision(12))));
}

/**
 * `n` log-spaced λ from low to high (exact ends, 12 significant digits), with each baseline λ
 * replacing the grid point nearest to it (or added when none is within a quarter step), so the YOTO
 * model is measured exactly where every baseline is.
 */
export function lambdaGrid(low: number, high: number, n: number, baselines: readonly number[]): number[] {
  const step = (Math.log(high) - Math.log(low)) / (n - 1);
  const grid = evaluationLogGrid(low, high, n);
  for (const b of baselines) {
    let best = 0;
    for (let k = 1; k < n; k++) if (Math.abs(Math.log(grid[k] / b)) < Math.abs(Math.log(grid[best] / b))) best = k;
    if (Math.abs(Math.log(grid[best] / b)) <= step / 4) grid[best] = b;
    else grid.push(b);
  }
  return [...new Set(grid)].sort((x, y) => x - y);
}
