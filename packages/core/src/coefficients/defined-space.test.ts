import { describe, expect, it } from 'vitest';
import { Rng } from '../random/rng.js';
import { defineSpace, spaceFromJSON } from './defined-space.js';
import type { Distribution, SpaceSpec } from './spec.js';

function column(values: Float32Array, k: number, j: number): number[] {
  const out: number[] = [];
  for (let i = j; i < values.length; i += k) out.push(values[i]);
  return out;
}
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const quantile = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))];

const vae: SpaceSpec = { terms: ['reconstruction', 'kl'], distribution: { kind: 'logUniform', term: 'kl', low: 1 / 8, high: 64 } };

describe('coefficient space: distributions', () => {
  it('samples log-uniform with the right log-mean, quantiles and mean, fixing uncovered terms at 1', () => {
    const s = defineSpace(vae);
    expect(s.conditionedTerms).toEqual(['kl']);
    expect(s.conditionDim).toBe(1);
    const n = 100_000;
    const x = s.sample(n, new Rng(1));
    expect(column(x, 2, 0).every((v) => v === 1)).toBe(true);
    const kl = column(x, 2, 1);
    const lo = Math.log(1 / 8), hi = Math.log(64), w = hi - lo;
    expect(Math.min(...kl)).toBeGreaterThanOrEqual(Math.fround(1 / 8));
    expect(Math.max(...kl)).toBeLessThanOrEqual(64);
    // sd of log λ is w/√12 ≈ 1.8, so the standard error of its mean is ≈ 0.006.
    expect(Math.abs(mean(kl.map(Math.log)) - (lo + hi) / 2)).toBeLessThan(0.03);
    for (const q of [0.1, 0.25, 0.5, 0.75, 0.9]) expect(Math.log(quantile(kl, q))).toBeCloseTo(lo + q * w, 1);
    // E[λ] = (high − low) / ln(high / low) ≈ 10.24; sd ≈ 16, standard error ≈ 0.05.
    expect(Math.abs(mean(kl) - (64 - 1 / 8) / w)).toBeLessThan(0.3);
  });

  it('samples uniform with the right mean and variance', () => {
    const s = defineSpace({ terms: ['a', 'b'], distribution: [{ kind: 'uniform', term: 'a', low: 0.5, high: 2 }, { kind: 'fixed', term: 'b', value: 3 }] });
    expect(s.conditionedTerms).toEqual(['a']);
    expect(s.encodings).toEqual({ a: 'log' });
    const x = s.sample(50_000, new Rng(2));
    const a = column(x, 2, 0);
    expect(column(x, 2, 1).every((v) => v === 3)).toBe(true);
    expect(mean(a)).toBeCloseTo(1.25, 2);
    expect(mean(a.map((v) => (v - 1.25) ** 2))).toBeCloseTo(1.5 ** 2 / 12, 2);
  });

  it('samples a Dirichlet on the simplex with the right means and variances', () => {
    const alpha = [1, 2, 3];
    const s = defineSpace({ terms: ['c', 's1', 's2'], distribution: { kind: 'dirichlet', terms: ['c', 's1', 's2'], concentration: alpha, total: 2 } });
    expect(s.encodings).toEqual({ c: 'linear', s1: 'linear', s2: 'linear' });
    const n = 50_000;
    const x = s.sample(n, new Rng(3));
    let worst = 0;
    for (let r = 0; r < n; r++) worst = Math.max(worst, Math.abs(x[3 * r] + x[3 * r + 1] + x[3 * r + 2] - 2));
    expect(worst).toBeLessThan(1e-5);
    alpha.forEach((a, j) => {
      const c = column(x, 3, j);
      expect(mean(c)).toBeCloseTo((2 * a) / 6, 2);
      const variance = (4 * a * (6 - a)) / (36 * 7);
      expect(mean(c.map((v) => (v - (2 * a) / 6) ** 2))).toBeCloseTo(variance, 2);
    });
  });

  it('mixes one-hot with probability p and a Dirichlet otherwise', () => {
    const s = defineSpace({
      terms: ['a', 'b', 'c'],
      distribution: {
        kind: 'mixture',
        components: [
          { weight: 0.3, distribution: { kind: 'oneHot', terms: ['a', 'b', 'c'], value: 1 } },
          { weight: 0.7, distribution: { kind: 'dirichlet', terms: ['a', 'b', 'c'] } },
        ],
      },
    });
    const n = 60_000;
    const x = s.sample(n, new Rng(4));
    let oneHot = 0;
    const vertex = [0, 0, 0];
    for (let r = 0; r < n; r++) {
      const row = [x[3 * r], x[3 * r + 1], x[3 * r + 2]];
      if (row.filter((v) => v === 0).length === 2) {
        oneHot++;
        vertex[row.indexOf(1)]++;
      }
    }
    expect(oneHot / n).toBeCloseTo(0.3, 2);
    expect(vertex.reduce((a, b) => a + b, 0)).toBe(oneHot); // a one-hot row's nonzero value is exactly 1
    for (const v of vertex) expect(v / oneHot).toBeCloseTo(1 / 3, 1);
    expect(s.conditionedTerms).toEqual(['a', 'b', 'c']);
    expect(s.support('a')).toMatchObject({ min: 0, max: 1, varies: true });
  });

  it('is reproducible from the Rng and rebuilt identically from toJSON', () => {
    const spec: SpaceSpec = {
      terms: ['x', 'y', 'z'],
      distribution: [
        { kind: 'logUniform', term: 'x', low: 0.01, high: 1 },
        { kind: 'mixture', components: [{ weight: 1, distribution: { kind: 'fixed', term: 'y', value: 2 } }, { weight: 3, distribution: { kind: 'uniform', term: 'y', low: 0, high: 4 } }] },
      ],
      grid: { kind: 'product', grids: [{ kind: 'log', term: 'x', low: 0.01, high: 1, count: 3 }, { kind: 'values', term: 'y', values: [0, 2] }] },
    };
    const s = defineSpace(spec);
    const copy = spaceFromJSON(JSON.parse(JSON.stringify(s.toJSON())));
    expect(copy.toJSON()).toEqual(s.toJSON());
    expect(copy.sample(100, new Rng(9))).toEqual(s.sample(100, new Rng(9)));
    expect(copy.evaluationGrid()).toEqual(s.evaluationGrid());
    expect(copy.encodings).toEqual({ x: 'log', y: 'linear' });
    expect(s.sample(5, new Rng(1))).not.toEqual(s.sample(5, new Rng(2)));
  });
});

/** Kolmogorov–Smirnov distance of `xs` from U(0, 1). */
function ksUniform(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.reduce((d, x, i) => Math.max(d, Math.abs(x - i / s.length), Math.abs(x - (i + 1) / s.length)), 0);
}

describe('coefficient space: stratified sampling', () => {
  // λ ~ LogUniform[0.0018, 0.18] as the compression experiment draws it; u is λ's place on the log scale.
  const lo = Math.log(0.0018), w = Math.log(0.18) - lo;
  const rd = defineSpace({ terms: ['distortion', 'rate'], distribution: { kind: 'logUniform', term: 'distortion', low: 0.0018, high: 0.18 } });
  const uOf = (l: number): number => (Math.log(l) - lo) / w;
  const stratumOf = (u: number, n: number): number => Math.min(n - 1, Math.max(0, Math.floor(u * n)));

  it('covers each of the B equal-probability strata once per batch, and every row keeps the distribution as its marginal', () => {
    expect(rd.stratifiable).toBe(true);
    const B = 8, batches = 4000;
    const rng = new Rng(11);
    const rows: number[][] = Array.from({ length: B }, () => []);
    const within: number[] = [];
    for (let t = 0; t < batches; t++) {
      const x = rd.sample(B, rng, { stratified: true });
      expect(column(x, 2, 1).every((v) => v === 1)).toBe(true);
      const u = column(x, 2, 0).map(uOf);
      expect(u.map((v) => stratumOf(v, B)).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      u.forEach((v, r) => rows[r].push(v));
      for (const v of u) within.push(v * B - stratumOf(v, B));
    }
    // Each row alone is LogUniform (the strata are dealt in a uniformly random order): KS at α = 0.001
    // for 4,000 draws is 1.95/√4000 ≈ 0.031. A fixed stratum per row would give D = 7/8.
    for (const r of rows) expect(ksUniform(r)).toBeLessThan(0.031);
    // Within its stratum a draw is uniform too.
    expect(ksUniform(within)).toBeLessThan(1.95 / Math.sqrt(within.length));
    // The rows' strata are a uniform permutation: row 0 lands in each stratum ~1/8 of the time.
    const counts = Array<number>(B).fill(0);
    for (const v of rows[0]) counts[stratumOf(v, B)]++;
    for (const c of counts) expect(Math.abs(c - batches / B)).toBeLessThan(4 * Math.sqrt((batches / B) * (7 / 8)));
  });

  it('independent draws are the stream they were (one uniform per draw), stratified ones the same λ law from other numbers', () => {
    const twin = new Rng(3);
    const expected = Array.from({ length: 50 }, () => Math.fround(Math.min(0.18, Math.max(0.0018, Math.exp(lo + w * twin.uniform())))));
    expect(column(rd.sample(50, new Rng(3)), 2, 0)).toEqual(expected);
    expect(column(rd.sample(50, new Rng(3), { stratified: false }), 2, 0)).toEqual(expected);
    const s = rd.sample(50, new Rng(3), { stratified: true });
    expect(column(s, 2, 0)).not.toEqual(expected);
    expect(rd.sample(50, new Rng(3), { stratified: true })).toEqual(s);
  });

  it('stratifies each one-dimensional term on its own (a Latin hypercube), fixed terms untouched', () => {
    const s = defineSpace({
      terms: ['a', 'b', 'c'],
      distribution: [
        { kind: 'logUniform', term: 'a', low: 0.1, high: 10 },
        { kind: 'fixed', term: 'b', value: 3 },
        { kind: 'product', parts: [{ kind: 'uniform', term: 'c', low: 2, high: 6 }] },
      ],
    });
    expect(s.stratifiable).toBe(true);
    const rng = new Rng(5);
    let together = 0;
    for (let t = 0; t < 200; t++) {
      const x = s.sample(5, rng, { stratified: true });
      const a = column(x, 3, 0).map((v) => stratumOf((Math.log(v) - Math.log(0.1)) / Math.log(100), 5));
      const c = column(x, 3, 2).map((v) => stratumOf((v - 2) / 4, 5));
      expect([...a].sort()).toEqual([0, 1, 2, 3, 4]);
      expect([...c].sort()).toEqual([0, 1, 2, 3, 4]);
      expect(column(x, 3, 1).every((v) => v === 3)).toBe(true);
      if (a.every((v, i) => v === c[i])) together++;
    }
    // Two independent permutations of 5 agree everywhere 1 time in 120.
    expect(together).toBeLessThan(10);
  });

  it('refuses to stratify a distribution that is not one uniform deep, naming it', () => {
    const simplex = defineSpace({ terms: ['c', 's1', 's2'], distribution: { kind: 'dirichlet', terms: ['c', 's1', 's2'] } });
    expect(simplex.stratifiable).toBe(false);
    expect(() => simplex.sample(4, new Rng(1), { stratified: true })).toThrow(
      /stratified λ sampling needs every varying term drawn from its own one-dimensional distribution \(logUniform or uniform\); this space's distribution is a dirichlet over c, s1, s2/,
    );
    const mixed = defineSpace({
      terms: ['x', 'y', 'z'],
      distribution: [
        { kind: 'logUniform', term: 'x', low: 0.1, high: 1 },
        { kind: 'oneHot', terms: ['y', 'z'] },
      ],
    });
    expect(mixed.stratifiable).toBe(false);
    expect(() => mixed.sample(4, new Rng(1), { stratified: true })).toThrow(/this space's distribution is a logUniform and a oneHot over y, z/);
    expect(() => defineSpace({ terms: ['x'], distribution: { kind: 'mixture', components: [{ weight: 1, distribution: { kind: 'uniform', term: 'x', low: 0, high: 1 } }] } }).sample(2, new Rng(1), { stratified: true })).toThrow(/is a mixture/);
  });
});

describe('coefficient space: encoding', () => {
  it('encodes log by default and linear when asked, in conditioned-term order', () => {
    const spec: SpaceSpec = {
      terms: ['a', 'b', 'c'],
      distribution: [{ kind: 'logUniform', term: 'c', low: 1, high: 10 }, { kind: 'uniform', term: 'a', low: 1, high: 2 }],
    };
    const lam = new Float32Array([1.5, 1, 4, 2, 1, 8]);
    const log = defineSpace(spec);
    expect(log.conditionedTerms).toEqual(['a', 'c']);
    expect([...log.encode(lam, 2)]).toEqual([Math.log(1.5), Math.log(4), Math.log(2), Math.log(8)].map(Math.fround));
    const mixed = defineSpace({ ...spec, encoding: { c: 'linear' } });
    expect([...mixed.encode(lam, 2)]).toEqual([Math.fround(Math.log(1.5)), 4, Math.fround(Math.log(2)), 8]);
    const linear = defineSpace({ ...spec, encoding: 'linear' });
    expect([...linear.encode(lam, 2)]).toEqual([1.5, 4, 2, 8]);
    expect(() => log.encode(lam, 3)).toThrow(/expected 3×3 = 9 values/);
    expect(() => log.encode(new Float32Array([0, 1, 4]), 1)).toThrow(/term 'a' in row 0 is 0; log encoding/);
  });
});

describe('coefficient space: grids', () => {
  const s = defineSpace({
    terms: ['r', 'kl', 'w'],
    distribution: [{ kind: 'logUniform', term: 'kl', low: 1 / 8, high: 64 }, { kind: 'fixed', term: 'w', value: 0.5 }],
  });

  it('log-spaced grids hit the endpoints exactly and fill fixed terms', () => {
    const g = s.grid({ kind: 'log', term: 'kl', low: 1 / 8, high: 64, count: 10 });
    expect(g).toHaveLength(10);
    expect(g[0]).toEqual([1, 1 / 8, 0.5]);
    expect(g[9]).toEqual([1, 64, 0.5]);
    g.forEach((row, k) => {
      expect(row[0]).toBe(1);
      expect(row[2]).toBe(0.5);
      expect(row[1] / 2 ** (k - 3)).toBeCloseTo(1, 12);
    });
  });

  it('linear, explicit, point, simplex and product grids are exact and ordered', () => {
    expect(s.grid({ kind: 'linear', term: 'kl', low: 1, high: 2, count: 5 }).map((r) => r[1])).toEqual([1, 1.25, 1.5, 1.75, 2]);
    expect(s.grid({ kind: 'values', term: 'kl', values: [4, 0.5, 2] })).toEqual([[1, 4, 0.5], [1, 0.5, 0.5], [1, 2, 0.5]]);
    expect(s.grid({ kind: 'points', points: [{ kl: 2 }, { kl: 3, r: 0.25, w: 7 }] })).toEqual([[1, 2, 0.5], [0.25, 3, 7]]);
    expect(s.grid({ kind: 'product', grids: [{ kind: 'values', term: 'kl', values: [1, 2] }, { kind: 'values', term: 'r', values: [10, 20, 30] }] })).toEqual([
      [10, 1, 0.5], [20, 1, 0.5], [30, 1, 0.5], [10, 2, 0.5], [20, 2, 0.5], [30, 2, 0.5],
    ]);
    const d = defineSpace({ terms: ['a', 'b', 'c'], distribution: { kind: 'dirichlet', terms: ['a', 'b', 'c'] } });
    const simplex = d.grid({ kind: 'simplex', terms: ['a', 'b', 'c'], divisions: 2 });
    expect(simplex).toEqual([[1, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 1, 0], [0, 0.5, 0.5], [0, 0, 1]]);
    expect(d.evaluationGrid()).toHaveLength(15);
  });

  it('has a default evaluation grid over the training range', () => {
    const g = s.evaluationGrid();
    expect(g.map((r) => r[1])[0]).toBe(1 / 8);
    expect(g.map((r) => r[1])[6]).toBe(64);
    expect(g).toHaveLength(7);
  });

  it('rejects bad grids with the term and the rule', () => {
    expect(() => s.grid({ kind: 'log', term: 'kl', low: 0, high: 1, count: 3 })).toThrow(/term 'kl'.*log-spaced grid needs low > 0/);
    expect(() => s.grid({ kind: 'log', term: 'kl', low: 1, high: 1, count: 3 })).toThrow(/term 'kl'.*low < high/);
    expect(() => s.grid({ kind: 'log', term: 'kl', low: 1, high: 2, count: 1 })).toThrow(/count must be an integer ≥ 2/);
    expect(() => s.grid({ kind: 'values', term: 'kl', values: [] })).toThrow(/term 'kl'.*non-empty/);
    expect(() => s.grid({ kind: 'values', term: 'kl', values: [Number.NaN] })).toThrow(/term 'kl'.*finite number, got NaN/);
    expect(() => s.grid({ kind: 'values', term: 'kl', values: [0] })).toThrow(/term 'kl' is log-encoded/);
    expect(() => s.grid({ kind: 'values', term: 'beta', values: [1] })).toThrow(/unknown term 'beta'.*'r', 'kl', 'w'/);
    expect(() => s.grid({ kind: 'values', term: 'r', values: [1] })).toThrow(/does not set conditioned term 'kl'/);
    expect(() => s.grid({ kind: 'product', grids: [{ kind: 'values', term: 'kl', values: [1] }, { kind: 'values', term: 'kl', values: [2] }] })).toThrow(
      /term 'kl' is set by grids\[0\] and grids\[1\]/,
    );
    expect(() => s.grid({ kind: 'cube' } as never)).toThrow(/unknown kind "cube"/);
  });
});

describe('coefficient space: invalid specs fail at definition', () => {
  const bad: [string, unknown, RegExp][] = [
    ['low ≥ high', { kind: 'uniform', term: 'kl', low: 2, high: 2 }, /term 'kl': uniform needs low < high, got low=2, high=2/],
    ['log low ≤ 0', { kind: 'logUniform', term: 'kl', low: 0, high: 2 }, /term 'kl': logUniform needs low > 0/],
    ['log low < 0', { kind: 'logUniform', term: 'kl', low: -1, high: 2 }, /term 'kl': logUniform needs low > 0/],
    ['log low ≥ high', { kind: 'logUniform', term: 'kl', low: 3, high: 2 }, /term 'kl': logUniform needs low < high/],
    ['NaN', { kind: 'logUniform', term: 'kl', low: Number.NaN, high: 2 }, /term 'kl': logUniform low must be a finite number, got NaN/],
    ['unknown term', { kind: 'logUniform', term: 'beta', low: 1, high: 2 }, /unknown term 'beta' \(the space's terms are 'rec', 'kl'\)/],
    ['dirichlet α ≤ 0', { kind: 'dirichlet', terms: ['rec', 'kl'], concentration: [1, 0] }, /term 'kl': dirichlet concentration must be > 0, got 0/],
    ['dirichlet α count', { kind: 'dirichlet', terms: ['rec', 'kl'], concentration: [1] }, /concentration has 1 values for 2 terms/],
    ['negative fixed', { kind: 'fixed', term: 'kl', value: -1 }, /term 'kl': fixed value must be ≥ 0/],
    ['unknown kind', { kind: 'gaussian', term: 'kl' }, /unknown kind "gaussian"/],
    ['overlap', [{ kind: 'fixed', term: 'kl', value: 1 }, { kind: 'uniform', term: 'kl', low: 0, high: 1 }], /term 'kl' is covered by two distributions/],
    [
      'mixture cover',
      { kind: 'mixture', components: [{ weight: 1, distribution: { kind: 'fixed', term: 'kl', value: 1 } }, { weight: 1, distribution: { kind: 'fixed', term: 'rec', value: 1 } }] },
      /every component must cover the same terms/,
    ],
    ['mixture weight', { kind: 'mixture', components: [{ weight: 0, distribution: { kind: 'fixed', term: 'kl', value: 1 } }] }, /weight must be > 0/],
  ];
  for (const [name, distribution, message] of bad)
    it(name, () => {
      expect(() => defineSpace({ terms: ['rec', 'kl'], distribution: distribution as never })).toThrow(message);
    });

  it('rejects log encoding of a term that can be 0, and encodings of unknown or fixed terms', () => {
    const d: Distribution = { kind: 'dirichlet', terms: ['rec', 'kl'] };
    expect(() => defineSpace({ terms: ['rec', 'kl'], distribution: d, encoding: 'log' })).toThrow(/term 'rec': log encoding needs λ > 0.*use encoding 'linear'/);
    expect(() => defineSpace({ terms: ['rec', 'kl', 'x'], distribution: d, encoding: { x: 'linear' } })).toThrow(/term 'x' is fixed/);
    expect(() => defineSpace({ terms: ['rec', 'kl'], distribution: d, encoding: { y: 'linear' } })).toThrow(/unknown term 'y'/);
    expect(() => defineSpace({ terms: ['rec', 'rec'], distribution: [] })).toThrow(/'rec' is listed twice/);
    expect(() => defineSpace({ terms: [], distribution: [] })).toThrow(/terms must be a non-empty array/);
    expect(() => defineSpace({ ...vae, grid: { kind: 'values', term: 'kl', values: [] } })).toThrow(/term 'kl'.*non-empty/);
  });
});

describe('coefficient space: conditions', () => {
  const range: SpaceSpec = { terms: ['distortion', 'rate'], distribution: { kind: 'logUniform', term: 'distortion', low: 0.0018, high: 0.18 }, encoding: { distortion: 'range' } };

  it("declares each term's support", () => {
    const s = defineSpace(range);
    expect(s.support('distortion')).toMatchObject({ min: 0.0018, max: 0.18, varies: true });
    expect(s.support('rate')).toMatchObject({ min: 1, max: 1, varies: false, value: 1 });
    expect(() => s.support('kl')).toThrow(/unknown term 'kl'/);
  });

  it("range-encodes log λ onto [−1, 1] over the support, and stores the choice in the spec", () => {
    const s = defineSpace(range);
    expect(s.encodings).toEqual({ distortion: 'range' });
    const lows = [0.0018, 0.018, 0.18, 0.0018 * Math.sqrt(10)];
    const enc = s.encode(Float32Array.from(lows.flatMap((l) => [l, 1])), 4);
    // log 0.018 is the midpoint of [log 0.0018, log 0.18]; √10·low sits a quarter of the way up.
    [-1, 0, 1, -0.5].forEach((v, i) => expect(enc[i]).toBeCloseTo(v, 6));
    expect(spaceFromJSON(s.toJSON()).encodings).toEqual({ distortion: 'range' });
    expect(() => defineSpace({ terms: ['a', 'b'], distribution: { kind: 'dirichlet', terms: ['a', 'b'] }, encoding: 'range' })).toThrow(/term 'a': range encoding needs a support 0 < low < high/);
  });

  it('linearRange-encodes λ onto [−1, 1] over a support that may start at 0, per term', () => {
    const spec: SpaceSpec = {
      terms: ['content', 'style'],
      distribution: [
        { kind: 'uniform', term: 'content', low: 0.1, high: 1 },
        { kind: 'uniform', term: 'style', low: 0, high: 4 },
      ],
      encoding: 'linearRange',
    };
    const s = defineSpace(spec);
    expect(s.encodings).toEqual({ content: 'linearRange', style: 'linearRange' });
    // Corners, the centre, a quarter of the way up, and a point outside the box (outside [−1, 1]).
    const rows = [[0.1, 0], [1, 4], [0.55, 2], [0.325, 1], [1.45, 6]];
    const enc = s.encode(Float32Array.from(rows.flat()), rows.length);
    [[-1, -1], [1, 1], [0, 0], [-0.5, -0.5], [2, 2]].flat().forEach((v, i) => expect(enc[i]).toBeCloseTo(v, 6));
    // λ = 0 is a valid input (a switched-off weight), unlike under 'range'; non-finite is not.
    expect(() => s.encode(Float32Array.from([0.5, Number.NaN]), 1)).toThrow(/λ of term 'style' in row 0 is NaN; it must be finite/);
    expect(spaceFromJSON(s.toJSON()).encodings).toEqual(s.encodings);
    // Grids over a linearRange term are linear, so they may include 0.
    expect(s.grid({ kind: 'points', points: [{ content: 0.5, style: 0 }, { content: 0.5, style: 2 }] })).toEqual([[0.5, 0], [0.5, 2]]);
    expect(() => defineSpace({ terms: ['a'], distribution: { kind: 'fixed', term: 'a', value: 1 }, encoding: { a: 'linearRange' } })).toThrow(/term 'a' is fixed/);
    expect(() => defineSpace({ ...spec, encoding: 'centred' as never })).toThrow(/encoding must be 'log', 'linear', 'range' or 'linearRange', got/);
  });

  it('builds the condition tensor from λ rows or one λ repeated, equal to the host encoding', () => {
    const s = defineSpace(vae);
    const rows = Float32Array.from([1, 0.5, 1, 8]);
    const c = s.condition(rows, 2);
    expect(c.shape).toEqual([2, 1]);
    expect([...c.dataSync()]).toEqual([...s.encode(rows, 2)]);
    const rep = s.condition([1, 4], 3);
    expect([...rep.dataSync()]).toEqual([1, 1, 1].map(() => Math.fround(Math.log(4))));
    expect(() => s.condition([1, 2, 3], 2)).toThrow(/expected 2 λ vectors over 2 terms \(4 values\) or one λ vector \(2 values\), got 3/);
    c.dispose();
    rep.dispose();
  });
});
