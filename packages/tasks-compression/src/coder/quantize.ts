/**
 * Turning real-valued probabilities into the integer frequency tables the rANS coder uses.
 *
 * Every symbol must keep a frequency of at least 1 (a zero frequency would make that symbol
 * uncodable), and the frequencies must sum to exactly 2^PRECISION. Largest-remainder rounding keeps
 * the table as close to the real distribution as integers allow, so the coded size stays near the
 * ideal -Σ log2 p.
 */

/** Bits of precision of every frequency table: frequencies sum to 2^16. */
export const PRECISION = 16;
export const TOTAL = 1 << PRECISION;
/** Largest alphabet a table may have (each symbol needs a frequency of at least 1). */
export const MAX_SYMBOLS = 1 << 14;

/**
 * Integer frequencies (each ≥ 1, summing to 2^16) for a probability vector. `pmf` need not be
 * normalised; entries must be finite and ≥ 0 with a positive sum.
 */
export function quantizeFrequencies(pmf: ArrayLike<number>): Uint32Array {
  const n = pmf.length;
  if (n < 1 || n > MAX_SYMBOLS) throw new Error(`quantizeFrequencies: alphabet size must be in [1, ${MAX_SYMBOLS}], got ${n}`);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const p = pmf[i];
    if (!(p >= 0) || !Number.isFinite(p)) throw new Error(`quantizeFrequencies: pmf[${i}] must be a finite number ≥ 0, got ${p}`);
    sum += p;
  }
  if (!(sum > 0)) throw new Error('quantizeFrequencies: pmf sums to 0');
  const freq = new Uint32Array(n);
  // Reserve the mandatory 1 per symbol, share the rest in proportion to p.
  const spare = TOTAL - n;
  const remainders = new Float64Array(n);
  let used = 0;
  for (let i = 0; i < n; i++) {
    const exact = (pmf[i] / sum) * spare;
    const whole = Math.floor(exact);
    freq[i] = 1 + whole;
    remainders[i] = exact - whole;
    used += 1 + whole;
  }
  let left = TOTAL - used;
  if (left > 0) {
    // Index as the tie-break keeps the result identical wherever it is computed.
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => remainders[b] - remainders[a] || a - b);
    for (let k = 0; left > 0; k = (k + 1) % n, left--) freq[order[k]] += 1;
  }
  return freq;
}

/** Cumulative table [0, f0, f0+f1, …, 2^16] from frequencies. */
export function cumulative(freq: ArrayLike<number>): Uint32Array {
  const cdf = new Uint32Array(freq.length + 1);
  for (let i = 0; i < freq.length; i++) cdf[i + 1] = cdf[i] + freq[i];
  return cdf;
}

/** Checks a cumulative table: starts at 0, strictly increasing, ends at 2^16. Throws naming the defect. */
export function validateCdf(cdf: ArrayLike<number>, what = 'cdf'): void {
  if (cdf.length < 2) throw new Error(`${what}: needs at least 2 entries, got ${cdf.length}`);
  if (cdf.length - 1 > MAX_SYMBOLS) throw new Error(`${what}: more than ${MAX_SYMBOLS} symbols`);
  if (cdf[0] !== 0) throw new Error(`${what}: must start at 0, starts at ${cdf[0]}`);
  if (cdf[cdf.length - 1] !== TOTAL) throw new Error(`${what}: must end at ${TOTAL}, ends at ${cdf[cdf.length - 1]}`);
  for (let i = 1; i < cdf.length; i++)
    if (!(cdf[i] > cdf[i - 1])) throw new Error(`${what}: not strictly increasing at index ${i} (${cdf[i - 1]} → ${cdf[i]})`);
}
