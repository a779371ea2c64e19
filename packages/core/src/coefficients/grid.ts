import type { GridSpec } from './spec.js';
import { describe, finite, knownTerm, positiveInteger, specError, termList } from './validate.js';

/** What a grid needs to know about its space to turn partial points into full λ vectors. */
export interface GridContext {
  terms: readonly string[];
  /** The constant value of each term that does not vary; undefined for conditioned terms. */
  fixedValues: readonly (number | undefined)[];
  /** Terms whose encoding is 'log' (their grid values must be > 0). */
  logEncoded: readonly boolean[];
}

/** A point that sets some of the terms (term index → value). */
type Partial = Map<number, number>;

/** Expands `spec` into full λ vectors in the space's term order. Errors name the term and rule. */
export function buildGrid(spec: GridSpec, ctx: GridContext): number[][] {
  const partials = expand(spec, ctx, 'grid');
  const covered = new Set<number>();
  for (const p of partials) for (const i of p.keys()) covered.add(i);
  return partials.map((p, n) =>
    ctx.terms.map((term, i) => {
      const v = p.get(i);
      if (v !== undefined) {
        if (ctx.logEncoded[i] && v <= 0)
          throw specError(`grid point ${n}: term '${term}' is log-encoded, so its value must be > 0, got ${v}`);
        return v;
      }
      const fixed = ctx.fixedValues[i];
      if (fixed === undefined)
        throw specError(
          covered.has(i)
            ? `grid point ${n} does not set conditioned term '${term}'`
            : `grid does not set conditioned term '${term}'; add it to the grid (e.g. with a product)`,
        );
      return fixed;
    }),
  );
}

function expand(spec: GridSpec, ctx: GridContext, path: string): Partial[] {
  if (typeof spec !== 'object' || spec === null) throw specError(`${path} must be an object with a 'kind', got ${describe(spec)}`);
  switch (spec.kind) {
    case 'log':
    case 'linear': {
      const term = knownTerm(spec.term, ctx.terms, `${path} (${spec.kind})`);
      const low = finite(spec.low, `grid for term '${term}': low`);
      const high = finite(spec.high, `grid for term '${term}': high`);
      const count = positiveInteger(spec.count, `grid for term '${term}': count`, 2);
      if (!(low < high)) throw specError(`grid for term '${term}': needs low < high, got low=${low}, high=${high}`);
      if (spec.kind === 'log' && low <= 0)
        throw specError(`grid for term '${term}': a log-spaced grid needs low > 0, got low=${low}`);
      const values = spec.kind === 'log' ? logSpace(low, high, count) : linSpace(low, high, count);
      return values.map((v) => new Map([[ctx.terms.indexOf(term), v]]));
    }
    case 'values': {
      const term = knownTerm(spec.term, ctx.terms, `${path} (values)`);
      if (!Array.isArray(spec.values) || spec.values.length === 0)
        throw specError(`grid for term '${term}': values must be a non-empty array, got ${describe(spec.values)}`);
      return spec.values.map((v, k) => new Map([[ctx.terms.indexOf(term), nonNegative(v, `grid for term '${term}': values[${k}]`)]]));
    }
    case 'points': {
      if (!Array.isArray(spec.points) || spec.points.length === 0)
        throw specError(`${path} (points): points must be a non-empty array, got ${describe(spec.points)}`);
      return spec.points.map((pt, k) => {
        if (typeof pt !== 'object' || pt === null || Array.isArray(pt))
          throw specError(`${path} (points): points[${k}] must be an object of term values, got ${describe(pt)}`);
        const m: Partial = new Map();
        for (const [term, v] of Object.entries(pt)) {
          knownTerm(term, ctx.terms, `${path} (points): points[${k}]`);
          m.set(ctx.terms.indexOf(term), nonNegative(v, `grid points[${k}]: term '${term}'`));
        }
        return m;
      });
    }
    case 'simplex': {
      const names = termList(spec.terms, ctx.terms, `${path} (simplex)`, 2);
      const divisions = positiveInteger(spec.divisions, `simplex grid over ${names.join(', ')}: divisions`);
      const total = finite(spec.total ?? 1, `simplex grid over ${names.join(', ')}: total`);
      if (total <= 0) throw specError(`simplex grid over ${names.join(', ')}: total must be > 0, got ${total}`);
      const idx = names.map((t) => ctx.terms.indexOf(t));
      return compositions(divisions, names.length).map((c) => new Map(c.map((k, j) => [idx[j], (total * k) / divisions])));
    }
    case 'product': {
      if (!Array.isArray(spec.grids) || spec.grids.length === 0) throw specError(`${path} (product): grids must be a non-empty array`);
      const factors = spec.grids.map((g, k) => expand(g, ctx, `${path}.grids[${k}]`));
      const seen = new Map<number, number>();
      factors.forEach((f, k) => {
        const own = new Set<number>();
        for (const p of f) for (const i of p.keys()) own.add(i);
        for (const i of own) {
          if (seen.has(i)) throw specError(`${path} (product): term '${ctx.terms[i]}' is set by grids[${seen.get(i)}] and grids[${k}]`);
          seen.set(i, k);
        }
      });
      return factors.reduce<Partial[]>((acc, f) => acc.flatMap((a) => f.map((b) => new Map([...a, ...b]))), [new Map()]);
    }
    default:
      throw specError(
        `${path}: unknown kind ${describe((spec as { kind?: unknown }).kind)} (expected log, linear, values, points, simplex or product)`,
      );
  }
}

/** `count` log-spaced values with exact endpoints. */
export function logSpace(low: number, high: number, count: number): number[] {
  const a = Math.log(low);
  const w = Math.log(high) - a;
  return Array.from({ length: count }, (_, k) => (k === 0 ? low : k === count - 1 ? high : Math.exp(a + (w * k) / (count - 1))));
}

/** `count` evenly spaced values with exact endpoints. */
export function linSpace(low: number, high: number, count: number): number[] {
  return Array.from({ length: count }, (_, k) => (k === count - 1 ? high : low + ((high - low) * k) / (count - 1)));
}

function nonNegative(v: unknown, what: string): number {
  const x = finite(v, what);
  if (x < 0) throw specError(`${what} must be ≥ 0, got ${x}`);
  return x;
}

/** All k-tuples of non-negative integers summing to n, in lexicographic order (first varies slowest, descending). */
function compositions(n: number, k: number): number[][] {
  if (k === 1) return [[n]];
  const out: number[][] = [];
  for (let first = n; first >= 0; first--) for (const rest of compositions(n - first, k - 1)) out.push([first, ...rest]);
  return out;
}
