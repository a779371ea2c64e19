// How the page prints a number (slider values, ranges, metrics): one owner, so the labels, the
// metrics table and the address's error lines agree.

/** Four significant digits without trailing zeros (λ = 0.0057, not 0.005700); exponents only far from 1. */
export const fmt = (v: number): string => (Math.abs(v) >= 1000 || (v !== 0 && Math.abs(v) < 1e-4) ? v.toPrecision(4) : String(Number(v.toPrecision(4))));
