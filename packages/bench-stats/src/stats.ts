/*
 * The order statistics the benches report: medians and quantiles of timings, steadier than means on
 * a shared machine. Several rules are in use because figures already published were measured with
 * each, and the rules differ on some sample sizes (the medians agree on odd ones); a bench keeps
 * the rule its figures used.
 * Tfjs-free; inputs are left unsorted and unchanged.
 */

function sorted(xs: readonly number[], what: string): number[] {
  if (xs.length === 0) throw new Error(`${what}: no values (expected at least one sample)`);
  return [...xs].sort((a, b) => a - b);
}

/**
 * The q-quantile by linear interpolation between the closest ranks (R's type 7, numpy's default):
 * position (n − 1)·q of the sorted values. q = 0.5 is `median`.
 */
export function quantile(xs: readonly number[], q: number): number {
  if (!(q >= 0 && q <= 1)) throw new Error(`quantile: q must be in [0, 1], got ${q}`);
  const s = sorted(xs, 'quantile');
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (i - lo);
}

/** The middle value; with an even count, the mean of the two middle ones (Python's statistics.median). */
export function median(xs: readonly number[]): number {
  const s = sorted(xs, 'median');
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The middle value; with an even count, the lower of the two middle ones (the style bench's published
 * figures were measured with even step counts under this rule).
 */
export function lowerMedian(xs: readonly number[]): number {
  const s = sorted(xs, 'lowerMedian');
  return s[(s.length - 1) >> 1];
}

/**
 * The q-quantile as one of the values: the (⌊q·n⌋ + 1)-th smallest (capped at the largest). With 11
 * values, q1, median and q3 are the 3rd, 6th and 9th; with an even count the median is the upper of
 * the two middle values. Odd counts give `median`'s value at q = 0.5.
 */
export function rankQuantile(xs: readonly number[], q: number): number {
  if (!(q >= 0 && q <= 1)) throw new Error(`rankQuantile: q must be in [0, 1], got ${q}`);
  const s = sorted(xs, 'rankQuantile');
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}
