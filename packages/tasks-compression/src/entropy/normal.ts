/**
 * The standard normal distribution in float64 JavaScript, for the Gaussian conditional's coding
 * tables. Like the factorized density (density.ts), tables are never computed with tfjs, so the
 * encoder and the decoder build bit-identical tables on any backend; JavaScript has no erfc, hence
 * this one.
 *
 * erfc(x) for x ≥ 0: below 2.5, erf by its everywhere-positive series
 *   erf(x) = 2/√π · e^(−x²) · Σ_n 2^n x^(2n+1) / (1·3·…·(2n+1))
 * (no cancellation between terms; 1 − erf loses at most three digits there, erfc(2.5) ≈ 4e−4);
 * from 2.5 on, the continued fraction erfc(x) = e^(−x²)/√π · 1/(x + ½/(x + 1/(x + 3/2/(x + …))))
 * evaluated by the modified Lentz method, which converges in a few dozen terms at these x and keeps
 * full relative precision deep in the tail. Accuracy (relative, vs C's erfc): better than 1e−13.
 */

const SQRT_PI = Math.sqrt(Math.PI);

/** The complementary error function erfc(x) = 1 − erf(x), with full relative precision in the upper tail. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 2.5) return 1 - erfSeries(x);
  if (x > 27) return 0; // below the smallest double
  return erfcContinuedFraction(x);
}

function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return (2 / SQRT_PI) * Math.exp(-x2) * sum;
}

/** erfc(x) = e^(−x²)/√π · K with K = 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), a_k = k/2. */
function erfcContinuedFraction(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    d = d === 0 ? tiny : d;
    c = x + a / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / SQRT_PI / f;
}

/** Φ(x) = P(X ≤ x) for X ~ N(0, 1), accurate in the lower tail (Φ(x) = ½·erfc(−x/√2)). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/** The x with Φ(x) = p (0 < p < 1), by bisection on normalCdf: exact to the last bits, used once per table build. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`normalQuantile: p must be in (0, 1), got ${p}`);
  let lo = -40;
  let hi = 40;
  for (let k = 0; k < 200 && hi - lo > 1e-15 * Math.max(1, Math.abs(lo)); k++) {
    const mid = 0.5 * (lo + hi);
    if (normalCdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}
