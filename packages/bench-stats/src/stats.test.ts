import { describe, expect, it } from 'vitest';
import { lowerMedian, median, quantile, rankQuantile } from './stats.js';

describe('median', () => {
  it('is the middle value, or the mean of the two middle ones, whatever the order', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it('leaves its input as it was', () => {
    const xs = [3, 1, 2];
    median(xs);
    expect(xs).toEqual([3, 1, 2]);
  });
});

describe('quantile', () => {
  it('interpolates between the closest ranks (type 7), and is the median at 0.5', () => {
    const xs = [10, 0, 30, 20]; // sorted 0, 10, 20, 30: position 3q
    expect(quantile(xs, 0)).toBe(0);
    expect(quantile(xs, 1)).toBe(30);
    expect(quantile(xs, 0.5)).toBe(15);
    expect(quantile(xs, 0.1)).toBeCloseTo(3, 12);
    expect(quantile(xs, 0.9)).toBeCloseTo(27, 12);
    for (const n of [1, 2, 5, 10, 11]) {
      const ys = Array.from({ length: n }, (_, i) => (i * 7) % 11);
      expect(quantile(ys, 0.5)).toBe(median(ys));
    }
  });
});

describe('rankQuantile', () => {
  it('is one of the values: with 11, q1, median and q3 are the 3rd, 6th and 9th', () => {
    const xs = Array.from({ length: 11 }, (_, i) => 10 - i); // 1st smallest is 0
    expect([0.25, 0.5, 0.75].map((q) => rankQuantile(xs, q))).toEqual([2, 5, 8]);
    expect(rankQuantile(xs, 1)).toBe(10);
    expect(rankQuantile(xs, 0)).toBe(0);
  });

  it('agrees with median on odd counts and takes the upper middle value on even ones', () => {
    expect(rankQuantile([5, 1, 3, 9, 7], 0.5)).toBe(median([5, 1, 3, 9, 7]));
    expect(rankQuantile([4, 1, 3, 2], 0.5)).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('lowerMedian', () => {
  it('agrees with median on odd counts and takes the lower middle value on even ones', () => {
    expect(lowerMedian([5, 1, 3, 9, 7])).toBe(median([5, 1, 3, 9, 7]));
    expect(lowerMedian([4, 1, 3, 2])).toBe(2);
    expect(lowerMedian([8, 6])).toBe(6);
    expect(lowerMedian([7])).toBe(7);
  });
});

describe('bad input', () => {
  it('refuses an empty sample and a q outside [0, 1] in one line', () => {
    expect(() => median([])).toThrow(/^median: no values \(expected at least one sample\)$/);
    expect(() => quantile([1], 1.5)).toThrow(/^quantile: q must be in \[0, 1\], got 1.5$/);
    expect(() => rankQuantile([], 0.5)).toThrow(/^rankQuantile: no values/);
    expect(() => lowerMedian([])).toThrow(/^lowerMedian: no values/);
    expect(() => rankQuantile([1], Number.NaN)).toThrow(/q must be in \[0, 1\], got NaN/);
  });
});
