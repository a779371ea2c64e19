/**
 * Bjøntegaard deltas (VCEG-M33, 2001): how far apart two rate–distortion curves are on average.
 *
 * - BD-rate: fit log(rate) as a polynomial of quality for each curve, integrate both over the
 *   quality interval they share, and turn the mean difference back into a rate ratio. −0.1 means the
 *   test codec needs 10% fewer bits than the anchor for the same quality.
 * - BD-quality (BD-PSNR when quality is PSNR): fit quality as a polynomial of log(rate), integrate
 *   over the shared log-rate interval; the mean difference in dB (positive: the test is better).
 *
 * The classic method fits cubics through four points; curves with more points get a least-squares
 * cubic, curves with fewer get the highest degree their points determine (a line through two), and
 * the degree used is reported so a table can say so.
 */

export interface RdPoint {
  /** Bits per pixel (or any rate), > 0. */
  rate: number;
  /** PSNR in dB, MS-SSIM in dB, … (higher is better). */
  quality: number;
}

export interface BdResult {
  /** BD-rate as a fraction (−0.1 = 10% fewer bits) or BD-quality in the quality's unit; NaN without overlap. */
  value: number;
  /** The interval integrated over: quality for BD-rate, rate (not its log) for BD-quality; null without overlap. */
  interval: [number, number] | null;
  /** Polynomial degrees fitted to the anchor and the test curve. */
  degree: { anchor: number; test: number };
}

export interface BdOptions {
  /** Highest polynomial degree (default 3, the classic cubic). */
  maxDegree?: number;
  /**
   * BD-quality only: integrate over this rate interval intersected with both curves' rate ranges
   * (e.g. the baselines' range when asking "better than JPEG where the baselines live").
   */
  rateInterval?: [number, number];
}

/** A polynomial in t = (x − shift) / scale, coefficients lowest first; centring keeps the fit well conditioned. */
export interface Polynomial {
  coefficients: number[];
  shift: number;
  scale: number;
}

export function evaluatePolynomial(p: Polynomial, x: number): number {
  const t = (x - p.shift) / p.scale;
  let v = 0;
  for (let k = p.coefficients.length - 1; k >= 0; k--) v = v * t + p.coefficients[k];
  return v;
}

/** ∫_a^b p(x) dx, exactly (antiderivative in t, times dx/dt = scale). */
export function integratePolynomial(p: Polynomial, a: number, b: number): number {
  const anti = (x: number): number => {
    const t = (x - p.shift) / p.scale;
    let v = 0;
    for (let k = p.coefficients.length - 1; k >= 0; k--) v = v * t + p.coefficients[k] / (k + 1);
    return v * t;
  };
  return p.scale * (anti(b) - anti(a));
}

/** Least-squares polynomial of degree `degree` through (xs, ys); needs more distinct xs than the degree. */
export function fitPolynomial(xs: readonly number[], ys: readonly number[], degree: number): Polynomial {
  if (xs.length !== ys.length) throw new Error(`fitPolynomial: ${xs.length} x values but ${ys.length} y values`);
  if (!Number.isInteger(degree) || degree < 0) throw new Error(`fitPolynomial: degree must be an integer ≥ 0, got ${degree}`);
  const distinct = new Set(xs).size;
  if (distinct <= degree) throw new Error(`fitPolynomial: a degree-${degree} fit needs ${degree + 1} distinct x values, got ${distinct}`);
  const shift = xs.reduce((s, v) => s + v, 0) / xs.length;
  const scale = Math.max(...xs.map((v) => Math.abs(v - shift))) || 1;
  const n = degree + 1;
  // Normal equations on the centred, scaled abscissa (|t| ≤ 1): small and well conditioned for n ≤ 4.
  const a = Array.from({ length: n }, () => new Float64Array(n + 1));
  for (let i = 0; i < xs.length; i++) {
    const t = (xs[i] - shift) / scale;
    const pow = Array.from({ length: 2 * n - 1 }, (_, k) => t ** k);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) a[r][c] += pow[r + c];
      a[r][n] += pow[r] * ys[i];
    }
  }
  return { coefficients: solve(a), shift, scale };
}

/** Gaussian elimination with partial pivoting on an n×(n+1) augmented matrix. */
function solve(a: Float64Array[]): number[] {
  const n = a.length;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    if (Math.abs(a[pivot][col]) < 1e-300) throw new Error('fitPolynomial: singular system');
    [a[col], a[pivot]] = [a[pivot], a[col]];
    for (let r = col + 1; r < n; r++) {
      const f = a[r][col] / a[col][col];
      for (let c = col; c <= n; c++) a[r][c] -= f * a[col][c];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = a[r][n];
    for (let c = r + 1; c < n; c++) s -= a[r][c] * x[c];
    x[r] = s / a[r][r];
  }
  return x;
}

function checkCurve(points: readonly RdPoint[], what: string): void {
  if (points.length < 2) throw new Error(`Bjøntegaard delta: the ${what} curve needs at least 2 points, got ${points.length}`);
  for (const p of points) {
    if (!(Number.isFinite(p.rate) && p.rate > 0)) throw new Error(`Bjøntegaard delta: the ${what} curve has a rate of ${p.rate}; rates must be finite and > 0`);
    if (!Number.isFinite(p.quality)) throw new Error(`Bjøntegaard delta: the ${what} curve has a quality of ${p.quality}`);
  }
}

function degreeFor(xs: readonly number[], maxDegree: number): number {
  return Math.min(maxDegree, new Set(xs).size - 1);
}

function range(xs: readonly number[]): [number, number] {
  return [Math.min(...xs), Math.max(...xs)];
}

/** BD-rate of `test` against `anchor`: mean relative rate difference at equal quality. */
export function bdRate(anchor: readonly RdPoint[], test: readonly RdPoint[], options: BdOptions = {}): BdResult {
  checkCurve(anchor, 'anchor');
  checkCurve(test, 'test');
  const maxDegree = options.maxDegree ?? 3;
  const qa = anchor.map((p) => p.quality);
  const qt = test.map((p) => p.quality);
  const degree = { anchor: degreeFor(qa, maxDegree), test: degreeFor(qt, maxDegree) };
  if (degree.anchor < 1 || degree.test < 1) throw new Error('Bjøntegaard delta: each curve needs at least 2 distinct quality values');
  const pa = fitPolynomial(qa, anchor.map((p) => Math.log(p.rate)), degree.anchor);
  const pt = fitPolynomial(qt, test.map((p) => Math.log(p.rate)), degree.test);
  const [la, ha] = range(qa);
  const [lt, ht] = range(qt);
  const lo = Math.max(la, lt);
  const hi = Math.min(ha, ht);
  if (!(hi > lo)) return { value: Number.NaN, interval: null, degree };
  const mean = (integratePolynomial(pt, lo, hi) - integratePolynomial(pa, lo, hi)) / (hi - lo);
  return { value: Math.expm1(mean), interval: [lo, hi], degree };
}

/** BD-quality (e.g. BD-PSNR) of `test` against `anchor`: mean quality difference at equal rate. */
export function bdQuality(anchor: readonly RdPoint[], test: readonly RdPoint[], options: BdOptions = {}): BdResult {
  checkCurve(anchor, 'anchor');
  checkCurve(test, 'test');
  const maxDegree = options.maxDegree ?? 3;
  const ra = anchor.map((p) => Math.log(p.rate));
  const rt = test.map((p) => Math.log(p.rate));
  const degree = { anchor: degreeFor(ra, maxDegree), test: degreeFor(rt, maxDegree) };
  if (degree.anchor < 1 || degree.test < 1) throw new Error('Bjøntegaard delta: each curve needs at least 2 distinct rates');
  const pa = fitPolynomial(ra, anchor.map((p) => p.quality), degree.anchor);
  const pt = fitPolynomial(rt, test.map((p) => p.quality), degree.test);
  let lo = Math.max(range(ra)[0], range(rt)[0]);
  let hi = Math.min(range(ra)[1], range(rt)[1]);
  if (options.rateInterval) {
    const [a, b] = options.rateInterval;
    if (!(a > 0 && b > a)) throw new Error(`Bjøntegaard delta: rateInterval must be 0 < a < b, got [${a}, ${b}]`);
    lo = Math.max(lo, Math.log(a));
    hi = Math.min(hi, Math.log(b));
  }
  if (!(hi > lo)) return { value: Number.NaN, interval: null, degree };
  const mean = (integratePolynomial(pt, lo, hi) - integratePolynomial(pa, lo, hi)) / (hi - lo);
  return { value: mean, interval: [Math.exp(lo), Math.exp(hi)], degree };
}

/**
 * Quality of a curve at `rate`, by linear interpolation in log(rate) between its measured points
 * (sorted by rate); NaN outside the measured range. Used for "at equal bpp" comparisons that should
 * not depend on a fitted polynomial.
 */
export function qualityAt(points: readonly RdPoint[], rate: number): number {
  const sorted = [...points].sort((a, b) => a.rate - b.rate);
  if (sorted.length === 0 || rate < sorted[0].rate || rate > sorted[sorted.length - 1].rate) return Number.NaN;
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1];
    const b = sorted[i];
    if (rate <= b.rate) {
      if (b.rate === a.rate) return Math.max(a.quality, b.quality);
      const w = (Math.log(rate) - Math.log(a.rate)) / (Math.log(b.rate) - Math.log(a.rate));
      return a.quality + w * (b.quality - a.quality);
    }
  }
  return sorted[sorted.length - 1].quality;
}

/**
 * Rate of a curve at `quality`, by linear interpolation of log(rate) in quality between its measured
 * points (sorted by quality); NaN outside the measured range. With `qualityAt`, the comparison
 * against a single point (the equal-steps control), where there is no second curve to integrate.
 */
export function rateAt(points: readonly RdPoint[], quality: number): number {
  const sorted = [...points].sort((a, b) => a.quality - b.quality);
  if (sorted.length === 0 || !(quality >= sorted[0].quality && quality <= sorted[sorted.length - 1].quality)) return Number.NaN;
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1];
    const b = sorted[i];
    if (quality <= b.quality) {
      if (b.quality === a.quality) return Math.min(a.rate, b.rate);
      const w = (quality - a.quality) / (b.quality - a.quality);
      return Math.exp(Math.log(a.rate) + w * (Math.log(b.rate) - Math.log(a.rate)));
    }
  }
  return sorted[sorted.length - 1].rate;
}

/**
 * A curve against one point: its rate at the point's quality relative to the point's rate (−0.1:
 * the curve needs 10% fewer bits there) and its quality at the point's rate minus the point's
 * (positive: better). NaN where the point lies outside the curve's measured range.
 */
export function againstPoint(curve: readonly RdPoint[], point: RdPoint): { rate: number; quality: number } {
  return { rate: rateAt(curve, point.quality) / point.rate - 1, quality: qualityAt(curve, point.rate) - point.quality };
}

/**
 * The smallest and mean quality advantage of `test` over `anchor` at equal rate, sampled at `samples`
 * log-spaced rates over [a, b] ∩ both curves' ranges (piecewise-linear curves); null without overlap.
 */
export function qualityMargin(
  anchor: readonly RdPoint[],
  test: readonly RdPoint[],
  interval: [number, number],
  samples = 65,
): { min: number; mean: number; interval: [number, number] } | null {
  const lo = Math.max(interval[0], ...[anchor, test].map((c) => Math.min(...c.map((p) => p.rate))));
  const hi = Math.min(interval[1], ...[anchor, test].map((c) => Math.max(...c.map((p) => p.rate))));
  if (!(hi > lo)) return null;
  let min = Number.POSITIVE_INFINITY;
  let sum = 0;
  for (let i = 0; i < samples; i++) {
    // Ends exactly, so rounding in exp/log never steps outside a measured range.
    const r = i === 0 ? lo : i === samples - 1 ? hi : Math.exp(Math.log(lo) + ((Math.log(hi) - Math.log(lo)) * i) / (samples - 1));
    const d = qualityAt(test, r) - qualityAt(anchor, r);
    min = Math.min(min, d);
    sum += d;
  }
  return { min, mean: sum / samples, interval: [lo, hi] };
}
