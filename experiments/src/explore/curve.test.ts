import { describe, expect, it } from 'vitest';
import { gridOf, positionOn, recordedAt, sliderToValue, valueToSlider } from './page/curve.js';

const evals = [
  { runId: 1, lambda: { reconstruction: 1, kl: 1 }, metric: 'kl', value: 10 },
  { runId: 1, lambda: { reconstruction: 1, kl: 1 }, metric: 'reconstruction', value: 50 },
  { runId: 1, lambda: { reconstruction: 1, kl: 4 }, metric: 'kl', value: 4 },
  { runId: 1, lambda: { reconstruction: 1, kl: 4 }, metric: 'reconstruction', value: 70 },
  { runId: 2, lambda: { reconstruction: 1, kl: 2 }, metric: 'kl', value: 99 },
];

describe('the current λ on the trade-off curve', () => {
  it('reads one run’s grid along the term, sorted by λ', () => {
    expect(gridOf(evals, 1, 'kl')).toEqual([
      { lambda: 1, metrics: { kl: 10, reconstruction: 50 } },
      { lambda: 4, metrics: { kl: 4, reconstruction: 70 } },
    ]);
  });

  it('gives the recorded values at a grid point, log-λ interpolation between, the nearest end outside', () => {
    const grid = gridOf(evals, 1, 'kl');
    expect(positionOn(grid, 4 * (1 + 1e-8))).toEqual({ metrics: { kl: 4, reconstruction: 70 }, exact: true, below: 4, above: 4 });
    // λ = 2 is halfway in log between 1 and 4.
    const mid = positionOn(grid, 2)!;
    expect(mid.exact).toBe(false);
    expect([mid.below, mid.above]).toEqual([1, 4]);
    expect(mid.metrics.kl).toBeCloseTo(7, 12);
    expect(mid.metrics.reconstruction).toBeCloseTo(60, 12);
    expect(positionOn(grid, 100)).toEqual({ metrics: { kl: 4, reconstruction: 70 }, exact: false, below: 4, above: 4 });
    expect(positionOn([], 1)).toBeNull();
  });

  it('maps slider positions to values on a log or linear scale and back', () => {
    expect(sliderToValue(500, 1000, 1 / 8, 8, true)).toBeCloseTo(1, 12); // the geometric middle
    expect(sliderToValue(500, 1000, 0, 8, false)).toBe(4);
    expect(sliderToValue(-5, 1000, 1 / 8, 8, true)).toBeCloseTo(1 / 8, 12);
    for (const p of [0, 1, 333, 999, 1000]) expect(valueToSlider(sliderToValue(p, 1000, 1 / 8, 64, true), 1000, 1 / 8, 64, true)).toBe(p);
  });
});

describe('a point of a multi-coefficient grid', () => {
  it('is found only where every term matches (zero weights included), for the run asked', () => {
    const style = [
      { runId: 1, lambda: { content: 0.55, style1: 0.5, style2: 0 }, metric: 'content', value: 1.5 },
      { runId: 1, lambda: { content: 0.55, style1: 0.5, style2: 0 }, metric: 'style', value: 3 },
      { runId: 1, lambda: { content: 0.55, style1: 0.5, style2: 0.5 }, metric: 'content', value: 9 },
      { runId: 2, lambda: { content: 0.55, style1: 0.5, style2: 0 }, metric: 'content', value: 7 },
    ];
    expect(recordedAt(style, 1, { content: 0.55, style1: 0.5, style2: 0 })).toEqual({ content: 1.5, style: 3 });
    expect(recordedAt(style, 1, { content: 0.55 * (1 + 1e-8), style1: 0.5, style2: 0 })).toEqual({ content: 1.5, style: 3 });
    expect(recordedAt(style, 1, { content: 0.55, style1: 0.5, style2: 0.001 })).toBeNull();
    expect(recordedAt(style, 2, { content: 0.55, style1: 0.5, style2: 0 })).toEqual({ content: 7 });
  });
});
