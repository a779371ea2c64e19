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
