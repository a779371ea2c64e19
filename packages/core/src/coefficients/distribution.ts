import type { Rng } from '../random/rng.js';
import type { Distribution } from './spec.js';
import { describe, finite, knownTerm, specError, termList } from './validate.js';

/** The range of values one term can take under a distribution. */
export interface TermSupport {
  min: number;
  max: number;
  /** False when the term always takes the same value. */
  varies: boolean;
  /** The value of a term that does not vary. */
  value?: number;
}

/** A validated distribution, ready to sample. */
export interface CompiledDistribution {
  /** Indices (into the space's terms) this distribution writes, in first-mention order. */
  readonly indices: readonly number[];
  /** Writes one draw into `row` (a full λ vector) at `indices`. */
  sample(row: Float64Array, rng: Rng): void;
  /**
   * Writes one draw into each of `rows`, the n draws stratified: each one-dimensional part (logUniform,
   * uniform) takes one value from each of its n equal-probability strata, in a random order, so a row's
   * marginal is the distribution's own while the n values cover its whole range (a product: each part
   * on its own, a Latin hypercube). Absent where a part is not one uniform deep (dirichlet, oneHot,
   * mixture): those have no single order to stratify along.
   */
  stratified?(rows: readonly Float64Array[], rng: Rng): void;
  support(index: number): TermSupport;
}

/** Validates `d` against the space's `terms` and compiles it; errors name the term and the rule. */
export function compileDistribution(d: unknown, terms: readonly string[], path = 'distribution'): CompiledDistribution {
  if (typeof d !== 'object' || d === null || Array.isArray(d))
    throw specError(`${path} must be an object with a 'kind', got ${describe(d)}`);
  const spec = d as Distribution;
  switch (spec.kind) {
    case 'fixed': {
      const term = knownTerm(spec.term, terms, `${path} (fixed)`);
      const value = finite(spec.value, `term '${term}': fixed value`);
      if (value < 0) throw specError(`term '${term}': fixed value must be ≥ 0, got ${value}`);
      return single(terms, term, { min: value, max: value, varies: false, value }, value);
    }
    case 'logUniform': {
      const term = knownTerm(spec.term, terms, `${path} (logUniform)`);
      const low = finite(spec.low, `term '${term}': logUniform low`);
      const high = finite(spec.high, `term '${term}': logUniform high`);
      if (low <= 0) throw specError(`term '${term}': logUniform needs low > 0 (a log scale has no non-positive values), got low=${low}`);
      if (!(low < high)) throw specError(`term '${term}': logUniform needs low < high, got low=${low}, high=${high}`);
      const a = Math.log(low);
      const w = Math.log(high) - a;
      // Clamped so float rounding in exp never leaves [low, high].
      return single(terms, term, { min: low, max: high, varies: true }, (u) => Math.min(high, Math.max(low, Math.exp(a + w * u))));
    }
    case 'uniform': {
      const term = knownTerm(spec.term, terms, `${path} (uniform)`);
      const low = finite(spec.low, `term '${term}': uniform low`);
      const high = finite(spec.high, `term '${term}': uniform high`);
      if (low < 0) throw specError(`term '${term}': uniform needs low ≥ 0 (coefficients are non-negative), got low=${low}`);
      if (!(low < high)) throw specError(`term '${term}': uniform needs low < high, got low=${low}, high=${high}`);
      return single(terms, term, { min: low, max: high, varies: true }, (u) => low + (high - low) * u);
    }
    case 'dirichlet': {
      const names = termList(spec.terms, terms, `${path} (dirichlet)`, 2);
      const conc = spec.concentration ?? 1;
      const alphas = Array.isArray(conc) ? conc : names.map(() => conc);
      if (alphas.length !== names.length)
        throw specError(`dirichlet over ${names.join(', ')}: concentration has ${alphas.length} values for ${names.length} terms`);
      alphas.forEach((a, i) => {
        finite(a, `term '${names[i]}': dirichlet concentration`);
        if (a <= 0) throw specError(`term '${names[i]}': dirichlet concentration must be > 0, got ${a}`);
      });
      const total = finite(spec.total ?? 1, `dirichlet over ${names.join(', ')}: total`);
      if (total <= 0) throw specError(`dirichlet over ${names.join(', ')}: total must be > 0, got ${total}`);
      const idx = names.map((t) => terms.indexOf(t));
      const g = new Float64Array(names.length);
      return {
        indices: idx,
        sample(row, rng) {
          let sum = 0;
          for (let i = 0; i < g.length; i++) sum += g[i] = rng.gamma(alphas[i]);
          // With tiny concentrations every gamma draw can underflow; the limit is a vertex.
          if (!(sum > 0)) {
            g.fill(0);
            g[rng.int(g.length)] = 1;
            sum = 1;
          }
          for (let i = 0; i < idx.length; i++) row[idx[i]] = (total * g[i]) / sum;
        },
        support: () => ({ min: 0, max: total, varies: true }),
      };
    }
    case 'oneHot': {
      const names = termList(spec.terms, terms, `${path} (oneHot)`, 2);
      const value = finite(spec.value ?? 1, `oneHot over ${names.join(', ')}: value`);
      if (value <= 0) throw specError(`oneHot over ${names.join(', ')}: value must be > 0, got ${value}`);
      const idx = names.map((t) => terms.indexOf(t));
      return {
        indices: idx,
        sample(row, rng) {
          const k = rng.int(idx.length);
          for (let i = 0; i < idx.length; i++) row[idx[i]] = i === k ? value : 0;
        },
        support: () => ({ min: 0, max: value, varies: true }),
      };
    }
    case 'product':
      if (!Array.isArray(spec.parts) || spec.parts.length === 0) throw specError(`${path} (product): parts must be a non-empty array`);
      return product(spec.parts.map((p, i) => compileDistribution(p, terms, `${path}.parts[${i}]`)), terms, `${path} (product)`);
    case 'mixture':
      return mixture(spec.components, terms, path);
    default:
      throw specError(
        `${path}: unknown kind ${describe((spec as { kind?: unknown }).kind)} (expected fixed, logUniform, uniform, dirichlet, oneHot, product or mixture)`,
      );
  }
}

/** Independent parts over disjoint terms. */
export function product(parts: CompiledDistribution[], terms: readonly string[], where: string): CompiledDistribution {
  const owner = new Map<number, CompiledDistribution>();
  for (const p of parts)
    for (const i of p.indices) {
      if (owner.has(i)) throw specError(`${where}: term '${terms[i]}' is covered by two distributions`);
      owner.set(i, p);
    }
  return {
    indices: [...owner.keys()],
    sample(row, rng) {
      for (const p of parts) p.sample(row, rng);
    },
    ...(parts.every((p) => p.stratified)
      ? {
          stratified(rows: readonly Float64Array[], rng: Rng) {
            for (const p of parts) p.stratified!(rows, rng);
          },
        }
      : {}),
    support: (i) => owner.get(i)!.support(i),
  };
}

/**
 * One term: a constant, or the inverse CDF `quantile` of a one-dimensional distribution (a draw is
 * quantile(u) for one uniform u, which is what lets its draws be stratified).
 */
function single(terms: readonly string[], term: string, support: TermSupport, quantile: number | ((u: number) => number)): CompiledDistribution {
  const index = terms.indexOf(term);
  if (typeof quantile === 'number')
    return {
      indices: [index],
      sample(row) {
        row[index] = quantile;
      },
      stratified(rows) {
        for (const row of rows) row[index] = quantile;
      },
      support: () => support,
    };
  return {
    indices: [index],
    sample(row, rng) {
      row[index] = quantile(rng.uniform());
    },
    stratified(rows, rng) {
      // Row r takes stratum order[r], [order[r], order[r] + 1) / n, at a uniform place within it.
      const n = rows.length;
      const order = rng.permutation(n);
      for (let r = 0; r < n; r++) rows[r][index] = quantile((order[r] + rng.uniform()) / n);
    },
    support: () => support,
  };
}

function mixture(components: unknown, terms: readonly string[], path: string): CompiledDistribution {
  if (!Array.isArray(components) || components.length === 0) throw specError(`${path} (mixture): components must be a non-empty array`);
  const weights: number[] = [];
  const parts = components.map((c, i) => {
    const where = `${path}.components[${i}]`;
    if (typeof c !== 'object' || c === null) throw specError(`${where} must be { weight, distribution }, got ${describe(c)}`);
    const w = finite((c as { weight?: unknown }).weight, `${where}.weight`);
    if (w <= 0) throw specError(`${where}.weight must be > 0, got ${w}`);
    weights.push(w);
    return compileDistribution((c as { distribution?: unknown }).distribution, terms, `${where}.distribution`);
  });
  const key = (p: CompiledDistribution): string => [...p.indices].sort((a, b) => a - b).join(',');
  parts.forEach((p, i) => {
    if (key(p) !== key(parts[0]))
      throw specError(
        `${path} (mixture): every component must cover the same terms; component 0 covers ${names(parts[0], terms)}, component ${i} covers ${names(p, terms)}`,
      );
  });
  const sum = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  let acc = 0;
  for (const w of weights) cumulative.push((acc += w / sum));
  return {
    indices: parts[0].indices,
    sample(row, rng) {
      const u = rng.uniform();
      let k = cumulative.findIndex((c) => u < c);
      if (k < 0) k = parts.length - 1;
      parts[k].sample(row, rng);
    },
    support(i) {
      const s = parts.map((p) => p.support(i));
      const min = Math.min(...s.map((x) => x.min));
      const max = Math.max(...s.map((x) => x.max));
      const varies = s.some((x) => x.varies) || min !== max;
      return varies ? { min, max, varies } : { min, max, varies, value: min };
    },
  };
}

function names(p: CompiledDistribution, terms: readonly string[]): string {
  return p.indices.map((i) => `'${terms[i]}'`).join(', ');
}
