import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../random/rng.js';
import { compileDistribution, product, type CompiledDistribution, type TermSupport } from './distribution.js';
import { buildGrid } from './grid.js';
import { STRATIFIABLE_RULE, type CoefficientSpace, type SampleOptions } from './space.js';
import { ENCODINGS, logEncoded, type Distribution, type Encoding, type GridSpec, type SpaceSpec } from './spec.js';
import { describe, specError } from './validate.js';

/** Points per conditioned term in the default evaluation grid of a range distribution. */
export const DEFAULT_GRID_COUNT = 7;

/**
 * A coefficient space built from a `SpaceSpec`. Everything is validated here, at definition time,
 * so a bad spec fails before any training starts.
 */
export class DefinedSpace implements CoefficientSpace {
  readonly terms: readonly string[];
  readonly conditionedTerms: readonly string[];
  readonly conditionDim: number;
  /** Encoding of each conditioned term. */
  readonly encodings: Readonly<Record<string, Encoding>>;
  private readonly spec: SpaceSpec;
  private readonly dist: CompiledDistribution;
  private readonly supports: TermSupport[];
  /** Per condition column: the term index, its encoding, and the map from λ to the column's value. */
  private readonly columns: { index: number; encoding: Encoding; map: (v: number) => number }[];

  constructor(spec: SpaceSpec) {
    if (typeof spec !== 'object' || spec === null) throw specError(`the spec must be an object, got ${describe(spec)}`);
    const terms = spec.terms;
    if (!Array.isArray(terms) || terms.length === 0) throw specError(`terms must be a non-empty array of names, got ${describe(terms)}`);
    terms.forEach((t, i) => {
      if (typeof t !== 'string' || t.length === 0) throw specError(`terms[${i}] must be a non-empty string, got ${describe(t)}`);
      if (terms.indexOf(t) !== i) throw specError(`term '${t}' is listed twice in terms`);
    });
    this.terms = [...terms];
    const parts = Array.isArray(spec.distribution) ? spec.distribution : [spec.distribution];
    if (parts.length === 0) throw specError('distribution must be a distribution or a non-empty array of them');
    const compiled = parts.map((d, i) => compileDistribution(d, terms, Array.isArray(spec.distribution) ? `distribution[${i}]` : 'distribution'));
    this.dist = compiled.length === 1 ? compiled[0] : product(compiled, terms, 'distribution');
    const covered = new Set(this.dist.indices);
    this.supports = terms.map((_, i) => (covered.has(i) ? this.dist.support(i) : { min: 1, max: 1, varies: false, value: 1 }));

    const conditioned = terms.filter((_, i) => this.supports[i].varies);
    const encodings: Record<string, Encoding> = {};
    const requested = spec.encoding ?? {};
    const known = (e: unknown): boolean => ENCODINGS.includes(e as Encoding);
    const names = `${ENCODINGS.slice(0, -1).map((e) => `'${e}'`).join(', ')} or '${ENCODINGS[ENCODINGS.length - 1]}'`;
    if (typeof requested === 'string') {
      if (!known(requested)) throw specError(`encoding must be ${names}, got ${describe(requested)}`);
    } else if (typeof requested === 'object' && requested !== null && !Array.isArray(requested)) {
      for (const [t, e] of Object.entries(requested)) {
        if (!terms.includes(t)) throw specError(`encoding: unknown term '${t}' (the space's terms are ${terms.map((x) => `'${x}'`).join(', ')})`);
        if (!conditioned.includes(t)) throw specError(`encoding: term '${t}' is fixed, so it is not encoded`);
        if (!known(e)) throw specError(`encoding of term '${t}' must be ${names}, got ${describe(e)}`);
      }
    } else throw specError(`encoding must be ${names}, or a record of them per term, got ${describe(requested)}`);
    for (const t of conditioned) {
      const s = this.supports[terms.indexOf(t)];
      const explicit = typeof requested === 'string' ? requested : requested[t];
      if (explicit === 'log' && !(s.min > 0))
        throw specError(`term '${t}': log encoding needs λ > 0, but its distribution can produce ${s.min}; use encoding 'linear' for it`);
      if (explicit === 'range' && !(s.min > 0 && s.max > s.min && Number.isFinite(s.max)))
        throw specError(`term '${t}': range encoding needs a support 0 < low < high, its distribution gives [${s.min}, ${s.max}]`);
      if (explicit === 'linearRange' && !(Number.isFinite(s.min) && Number.isFinite(s.max) && s.max > s.min))
        throw specError(`term '${t}': linearRange encoding needs a finite support low < high, its distribution gives [${s.min}, ${s.max}]`);
      encodings[t] = explicit ?? (s.min > 0 ? 'log' : 'linear');
    }
    this.conditionedTerms = conditioned;
    this.encodings = encodings;
    this.conditionDim = conditioned.length;
    this.columns = conditioned.map((t) => {
      const index = terms.indexOf(t);
      const { min, max } = this.supports[index];
      return { index, encoding: encodings[t], map: encoder(encodings[t], min, max) };
    });
    // The stored spec carries the resolved encoding so a later change of defaults cannot alter it.
    this.spec = structuredClone({ ...spec, terms: [...terms], encoding: { ...encodings } });
    if (spec.grid !== undefined) this.grid(spec.grid);
  }

  /** Whether `sample` can stratify its draws (every varying term drawn by a one-dimensional distribution). */
  get stratifiable(): boolean {
    return this.dist.stratified !== undefined;
  }

  /** n λ vectors, row-major [n, terms.length]; with `stratified`, one per equal-probability stratum (see CoefficientSpace). */
  sample(n: number, rng: Rng, options: SampleOptions = {}): Float32Array {
    if (!Number.isInteger(n) || n < 0) throw new Error(`CoefficientSpace.sample: n must be a non-negative integer, got ${n}`);
    const k = this.terms.length;
    const out = new Float32Array(n * k);
    const fixed = (): Float64Array => Float64Array.from(this.supports, (s) => s.value ?? 0);
    if (options.stratified) {
      const stratified = this.dist.stratified;
      if (!stratified) throw new Error(`CoefficientSpace.sample: ${STRATIFIABLE_RULE}; this space's distribution is ${describeKinds(this.spec.distribution)}`);
      const rows = Array.from({ length: n }, fixed);
      stratified(rows, rng);
      rows.forEach((row, r) => out.set(row, r * k));
      return out;
    }
    const row = fixed();
    for (let r = 0; r < n; r++) {
      this.dist.sample(row, rng);
      out.set(row, r * k);
    }
    return out;
  }

  /**
   * Encodes n λ vectors to [n, conditionDim]; a log- or range-encoded λ ≤ 0 or any non-finite λ is an
   * error. 'range' is 2·(log λ − log low)/(log high − log low) − 1 and 'linearRange' 2·(λ − low)/(high
   * − low) − 1, in float64, then rounded to float32 like every column; a λ outside the support maps
   * outside [−1, 1].
   */
  encode(lambdas: Float32Array, n: number): Float32Array {
    const k = this.terms.length;
    if (lambdas.length !== n * k)
      throw new Error(`CoefficientSpace.encode: expected ${n}×${k} = ${n * k} values for ${n} λ vectors over ${k} terms, got ${lambdas.length}`);
    const d = this.columns.length;
    const out = new Float32Array(n * d);
    for (let r = 0; r < n; r++)
      for (let j = 0; j < d; j++) {
        const { index, encoding, map } = this.columns[j];
        const v = lambdas[r * k + index];
        const positive = logEncoded(encoding);
        if (!Number.isFinite(v) || (positive && v <= 0))
          throw new Error(`CoefficientSpace.encode: λ of term '${this.terms[index]}' in row ${r} is ${v}; ${positive ? `${encoding} encoding needs a finite value > 0` : 'it must be finite'}`);
        out[r * d + j] = map(v);
      }
    return out;
  }

  /** The condition tensor [n, conditionDim]: n λ vectors row-major, or one λ vector repeated n times. */
  condition(lambdas: ArrayLike<number>, n: number): tf.Tensor2D {
    if (!Number.isInteger(n) || n < 1) throw new Error(`CoefficientSpace.condition: n must be an integer ≥ 1, got ${n}`);
    const k = this.terms.length;
    let rows: Float32Array;
    if (lambdas.length === n * k) rows = Float32Array.from(lambdas);
    else if (lambdas.length === k) {
      rows = new Float32Array(n * k);
      for (let r = 0; r < n; r++) for (let i = 0; i < k; i++) rows[r * k + i] = lambdas[i];
    } else
      throw new Error(`CoefficientSpace.condition: expected ${n} λ vectors over ${k} terms (${n * k} values) or one λ vector (${k} values), got ${lambdas.length}`);
    return tf.tensor2d(this.encode(rows, n), [n, this.conditionDim]);
  }

  /** Full λ vectors of an evaluation grid. */
  grid(spec: GridSpec): number[][] {
    return buildGrid(spec, {
      terms: this.terms,
      fixedValues: this.supports.map((s) => (s.varies ? undefined : s.value)),
      logEncoded: this.terms.map((t) => this.encodings[t] !== undefined && logEncoded(this.encodings[t])),
    });
  }

  /** The spec's grid, or by default: 7 log- (or linearly) spaced values over each range term's bounds,
   * the vertices of a one-hot group, a 4-division simplex for a Dirichlet group, all combined as a product. */
  evaluationGrid(): number[][] {
    return this.grid(this.spec.grid ?? this.defaultGrid());
  }

  /** What one term's λ can be under the training distribution. */
  support(term: string): TermSupport {
    const i = this.terms.indexOf(term);
    if (i < 0) throw new Error(`unknown term '${term}' (the space's terms are ${this.terms.map((t) => `'${t}'`).join(', ')})`);
    return { ...this.supports[i] };
  }

  /** A λ vector (term order) as a record keyed by term. */
  toRecord(lambda: ArrayLike<number>): Record<string, number> {
    if (lambda.length !== this.terms.length)
      throw new Error(`a λ vector needs ${this.terms.length} values (${this.terms.join(', ')}), got ${lambda.length}`);
    return Object.fromEntries(this.terms.map((t, i) => [t, lambda[i]]));
  }

  /** A record keyed by term as a full λ vector; fixed terms may be omitted, conditioned ones may not. */
  fromRecord(record: Record<string, number>): number[] {
    for (const key of Object.keys(record))
      if (!this.terms.includes(key)) throw new Error(`unknown term '${key}' in λ (the space's terms are ${this.terms.join(', ')})`);
    return this.terms.map((t, i) => {
      const v = record[t] ?? this.supports[i].value;
      if (v === undefined) throw new Error(`λ does not set conditioned term '${t}'`);
      if (!Number.isFinite(v) || v < 0) throw new Error(`λ of term '${t}' must be a finite number ≥ 0, got ${v}`);
      return v;
    });
  }

  toJSON(): SpaceSpec {
    return structuredClone(this.spec);
  }

  private defaultGrid(): GridSpec {
    const parts = Array.isArray(this.spec.distribution) ? this.spec.distribution : [this.spec.distribution];
    const grids = parts.flatMap((d) => gridFor(d));
    if (grids.length === 0) throw specError('the space has no conditioned term, so it has no default evaluation grid; give the spec a grid');
    return grids.length === 1 ? grids[0] : { kind: 'product', grids };
  }
}

/** The kinds of a spec's distribution, as an error names them (e.g. 'a dirichlet over c, s1'). */
function describeKinds(d: Distribution | Distribution[]): string {
  const parts = Array.isArray(d) ? d : [d];
  return parts
    .flatMap((p): string[] => (p.kind === 'product' ? [describeKinds(p.parts)] : [p.kind === 'dirichlet' || p.kind === 'oneHot' ? `a ${p.kind} over ${p.terms.join(', ')}` : `a ${p.kind}`]))
    .join(' and ');
}

function gridFor(d: Distribution): GridSpec[] {
  switch (d.kind) {
    case 'fixed':
      return [];
    case 'logUniform':
      return [{ kind: 'log', term: d.term, low: d.low, high: d.high, count: DEFAULT_GRID_COUNT }];
    case 'uniform':
      return [{ kind: 'linear', term: d.term, low: d.low, high: d.high, count: DEFAULT_GRID_COUNT }];
    case 'dirichlet':
      return [{ kind: 'simplex', terms: d.terms, divisions: 4, total: d.total ?? 1 }];
    case 'oneHot':
      return [{ kind: 'simplex', terms: d.terms, divisions: 1, total: d.value ?? 1 }];
    case 'product':
      return d.parts.flatMap(gridFor);
    case 'mixture':
      throw specError('a mixture has no default evaluation grid; give the spec a grid');
  }
}

/** Validates `spec` and builds the space; every rule violation is reported with the term it concerns. */
export function defineSpace(spec: SpaceSpec): DefinedSpace {
  return new DefinedSpace(spec);
}

/** Rebuilds a space from `space.toJSON()` (as stored in checkpoints and by the tracker). */
export function spaceFromJSON(json: unknown): DefinedSpace {
  const value = typeof json === 'string' ? (JSON.parse(json) as unknown) : json;
  return new DefinedSpace(value as SpaceSpec);
}

/** λ ↦ the column value of `encoding` over the support [low, high] (float64; encode rounds to float32). */
function encoder(encoding: Encoding, low: number, high: number): (v: number) => number {
  switch (encoding) {
    case 'linear':
      return (v) => v;
    case 'log':
      return Math.log;
    case 'range': {
      const logLow = Math.log(low);
      const logHigh = Math.log(high);
      return (v) => (2 * (Math.log(v) - logLow)) / (logHigh - logLow) - 1;
    }
    case 'linearRange':
      return (v) => (2 * (v - low)) / (high - low) - 1;
  }
}
