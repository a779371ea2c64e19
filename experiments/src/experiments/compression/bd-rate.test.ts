import { describe, expect, it } from 'vitest';
import { againstPoint, bdQuality, bdRate, evaluatePolynomial, fitPolynomial, integratePolynomial, qualityAt, qualityMargin, rateAt, type RdPoint } from './bd-rate.js';

// A realistic, non-polynomial anchor: PSNR grows like the log of the rate with a little curvature.
const anchor: RdPoint[] = [0.12, 0.25, 0.45, 0.8, 1.3, 2.1].map((rate) => ({ rate, quality: 27 + 4.2 * Math.log(rate) - 0.35 * Math.log(rate) ** 2 }));

describe('Bjøntegaard deltas', () => {
  it('fits and integrates polynomials exactly when the data are a polynomial', () => {
    const xs = [-2, -1, 0.5, 1, 3, 4];
    const ys = xs.map((x) => 1 - 2 * x + 0.5 * x ** 2 - 0.25 * x ** 3);
    const p = fitPolynomial(xs, ys, 3);
    for (const x of [-1.5, 0, 2.2]) expect(evaluatePolynomial(p, x)).toBeCloseTo(1 - 2 * x + 0.5 * x ** 2 - 0.25 * x ** 3, 10);
    // ∫_0^2 (1 − 2x + x²/2 − x³/4) dx = 2 − 4 + 4/3 − 1 = −5/3
    expect(integratePolynomial(p, 0, 2)).toBeCloseTo(-5 / 3, 10);
    expect(() => fitPolynomial([1, 1, 2], [0, 0, 1], 2)).toThrow('needs 3 distinct x values, got 2');
  });

  it('BD-rate of a curve needing k× the rate at every quality is exactly k − 1', () => {
    for (const k of [0.7, 1.25, 2]) {
      const test = anchor.map((p) => ({ rate: k * p.rate, quality: p.quality }));
      const r = bdRate(anchor, test);
      expect(r.value).toBeCloseTo(k - 1, 12);
      expect(r.degree).toEqual({ anchor: 3, test: 3 });
      expect(r.interval).toEqual([Math.min(...anchor.map((p) => p.quality)), Math.max(...anchor.map((p) => p.quality))]);
      // And the other way round: 1/k − 1.
      expect(bdRate(test, anchor).value).toBeCloseTo(1 / k - 1, 12);
    }
  });

  it('BD-PSNR of a curve shifted by d dB at every rate is exactly d', () => {
    const test = anchor.map((p) => ({ rate: p.rate, quality: p.quality + 0.4 }));
    expect(bdQuality(anchor, test).value).toBeCloseTo(0.4, 12);
    expect(bdQuality(test, anchor).value).toBeCloseTo(-0.4, 12);
  });

  it('BD-PSNR integrates over the shared log-rate interval (closed form for a gap linear in log rate)', () => {
    // test − anchor = 0.5·ln(rate): mean over ln r ∈ [ln 0.25, ln 1.3] is 0.5·(ln 0.25 + ln 1.3)/2.
    const test = anchor.filter((p) => p.rate >= 0.25 && p.rate <= 1.3).map((p) => ({ rate: p.rate, quality: p.quality + 0.5 * Math.log(p.rate) }));
    const r = bdQuality(anchor, test);
    expect(r.interval![0]).toBeCloseTo(0.25, 12);
    expect(r.interval![1]).toBeCloseTo(1.3, 12);
    // The anchor's cubic fit of a non-cubic curve is not exact, so allow the fit's error.
    expect(r.value).toBeCloseTo((0.5 * (Math.log(0.25) + Math.log(1.3))) / 2, 2);
    // A rate interval narrows the integration (the shift case is exact on any interval).
    const shifted = anchor.map((p) => ({ rate: p.rate, quality: p.quality - 1 }));
    const part = bdQuality(anchor, shifted, { rateInterval: [0.3, 0.9] });
    expect(part.interval![0]).toBeCloseTo(0.3, 12);
    expect(part.interval![1]).toBeCloseTo(0.9, 12);
    expect(part.value).toBeCloseTo(-1, 12);
  });

  it('two-point curves get a line, disjoint curves give NaN, bad points are refused', () => {
    const two = [anchor[1], anchor[4]].map((p) => ({ rate: 1.5 * p.rate, quality: p.quality }));
    const r = bdRate(anchor, two);
    expect(r.degree).toEqual({ anchor: 3, test: 1 });
    expect(Number.isFinite(r.value)).toBe(true);
    const high = anchor.map((p) => ({ rate: p.rate * 100, quality: p.quality + 100 }));
    expect(bdRate(anchor, high)).toMatchObject({ value: Number.NaN, interval: null });
    expect(() => bdRate(anchor, [anchor[0]])).toThrow('the test curve needs at least 2 points, got 1');
    expect(() => bdRate(anchor, [anchor[0], { rate: 0, quality: 30 }])).toThrow('rates must be finite and > 0');
  });

  it('qualityAt and qualityMargin compare piecewise-linear curves at equal rate', () => {
    const pts: RdPoint[] = [
      { rate: 0.1, quality: 20 },
      { rate: 1, quality: 30 },
    ];
    expect(qualityAt(pts, Math.sqrt(0.1))).toBeCloseTo(25, 12);
    expect(qualityAt(pts, 2)).toBeNaN();
    const better = pts.map((p) => ({ rate: p.rate, quality: p.quality + 1.5 }));
    const m = qualityMargin(pts, better, [0.05, 0.5])!;
    expect(m.interval).toEqual([0.1, 0.5]);
    expect(m.min).toBeCloseTo(1.5, 12);
    expect(m.mean).toBeCloseTo(1.5, 12);
    expect(qualityMargin(pts, better, [2, 3])).toBeNull();
  });

  it('matches the classic VCEG-M33 cubic on published x265 measurements (FAU-LMS/bjontegaard examples)', () => {
    // Rates (kbps) and PSNR from the README and example_usage.py of github.com/FAU-LMS/bjontegaard.
    // Expected values: numpy polyfit(·, ·, 3) + polyint over the shared interval, natural log, the
    // formulas of Bjøntegaard's script (an independent implementation, not this file).
    const curve = (rates: number[], psnrs: number[]): RdPoint[] => rates.map((rate, i) => ({ rate, quality: psnrs[i] }));
    const a1 = curve([9487.76, 4593.6, 2486.44, 1358.24], [40.037, 38.615, 36.845, 34.851]);
    const t1 = curve([9787.8, 4469.0, 2451.52, 1356.24], [40.121, 38.651, 36.97, 34.987]);
    expect(bdRate(a1, t1).value).toBeCloseTo(-0.04420462706245121, 10);
    expect(bdQuality(a1, t1).value).toBeCloseTo(0.12040941911462094, 10);
    // Six points each: the least-squares cubic.
    const a3 = curve([82472.76, 26875.24, 9487.76, 4593.6, 3600, 2900], [43.825, 41.404, 40.037, 38.615, 36.5, 35.1]);
    const t3 = curve([99896.96, 33952.04, 9787.8, 4469.0, 4040, 3300], [44.731, 41.875, 40.121, 38.651, 37, 36.5]);
    expect(bdRate(a3, t3).value).toBeCloseTo(-0.006392886208351878, 10);
    expect(bdQuality(a3, t3).value).toBeCloseTo(0.10358085155012471, 10);
  });

  it('rateAt and againstPoint compare a curve with a single point (the equal-steps control)', () => {
    const pts: RdPoint[] = [
      { rate: 0.1, quality: 20 },
      { rate: 1, quality: 30 },
    ];
    // Linear in log rate: quality 25 at √0.1.
    expect(rateAt(pts, 25)).toBeCloseTo(Math.sqrt(0.1), 12);
    expect(rateAt(pts, 31)).toBeNaN();
    // A point at (√0.1, 24): the curve reaches 24 dB at 0.1^0.6 (−20.6% bits) and gives 25 dB at its rate.
    const d = againstPoint(pts, { rate: Math.sqrt(0.1), quality: 24 });
    expect(d.rate).toBeCloseTo(0.1 ** 0.6 / Math.sqrt(0.1) - 1, 12);
    expect(d.quality).toBeCloseTo(1, 12);
    expect(againstPoint(pts, { rate: 5, quality: 40 })).toEqual({ rate: Number.NaN, quality: Number.NaN });
  });
});
