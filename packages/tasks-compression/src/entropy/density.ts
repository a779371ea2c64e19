import { type CodingTable } from '../coder/symbols.js';
import { cumulative, quantizeFrequencies } from '../coder/quantize.js';

/**
 * The factorized density of the entropy bottleneck, evaluated in plain float64 JavaScript.
 *
 * Coding tables must be bit-identical in the encoder and the decoder. tfjs backends (cpu, wasm,
 * native) may differ in the last float32 bit, so the tables are never computed with tfjs: they are
 * computed here from the stored weights alone, which makes a file decodable on any backend.
 *
 * Density (Ballé et al. 2018, appendix 6.1): per channel, the cumulative is
 * F(u) = sigmoid(f_K ∘ … ∘ f_1(u)) with f_k(v) = H_k v + b_k (+ tanh(a_k) ⊙ tanh(·) for k < K),
 * H_k = softplus(raw) > 0 and tanh(a_k) > −1, so F is monotone. λ-conditioning is a per-channel
 * location-scale change: F_λ(y) = F((y − μ_c(λ)) / s_c(λ)), μ and log s interpolated linearly
 * between knots spaced evenly over the encoded λ range.
 */
export interface DensityWeights {
  channels: number;
  /** Layer widths, [1, ...filters, 1]. */
  dims: number[];
  /** Per layer i: softplus(matrix) as [C, dims[i+1], dims[i]] row-major. */
  matrices: Float64Array[];
  /** Per layer i: [C, dims[i+1]]. */
  biases: Float64Array[];
  /** Per hidden layer i: tanh(factor), [C, dims[i+1]]. */
  factors: Float64Array[];
  /** Knot count K (0: the density does not depend on λ). */
  knots: number;
  /** [K, C] each, when knots > 0. */
  loc: Float64Array | null;
  logScale: Float64Array | null;
}

/** Options of the coding tables. */
export interface TableOptions {
  /** Probability mass left outside each table's support (coded through the escape). */
  tailMass: number;
  /** At most this many symbols on each side of the median. */
  maxHalfWidth: number;
}

export const DEFAULT_TABLE_OPTIONS: TableOptions = { tailMass: 1e-9, maxHalfWidth: 1024 };

// Two layers' activations for logitsCdf, reused across calls: the coding tables evaluate it tens of
// thousands of times per λ (once per table entry), which the explorer does on every slider move.
let current = new Float64Array(8);
let following = new Float64Array(8);

/** The logit of F for channel c at u (the density's "logits_cumulative"). */
export function logitsCdf(w: DensityWeights, c: number, u: number): number {
  let widest = 1;
  for (const d of w.dims) widest = Math.max(widest, d);
  if (current.length < widest) {
    current = new Float64Array(widest);
    following = new Float64Array(widest);
  }
  let v = current;
  let next = following;
  v[0] = u;
  for (let i = 0; i < w.matrices.length; i++) {
    const din = w.dims[i];
    const dout = w.dims[i + 1];
    const m = w.matrices[i];
    const b = w.biases[i];
    for (let o = 0; o < dout; o++) {
      let s = b[c * dout + o];
      const row = (c * dout + o) * din;
      for (let k = 0; k < din; k++) s += m[row + k] * v[k];
      if (i < w.factors.length) s += w.factors[i][c * dout + o] * Math.tanh(s);
      next[o] = s;
    }
    [v, next] = [next, v];
  }
  return v[0];
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** Per-channel location and scale at knot position t ∈ [0, K−1] (identity without knots). */
export function locationScale(w: DensityWeights, t: number): { loc: Float64Array; scale: Float64Array } {
  const loc = new Float64Array(w.channels);
  const scale = new Float64Array(w.channels).fill(1);
  if (w.knots === 0 || !w.loc || !w.logScale) return { loc, scale };
  const tc = Math.min(Math.max(t, 0), w.knots - 1);
  const i = Math.min(Math.floor(tc), w.knots - 2);
  const f = w.knots === 1 ? 0 : tc - i;
  for (let c = 0; c < w.channels; c++) {
    if (w.knots === 1) {
      loc[c] = w.loc[c];
      scale[c] = Math.exp(w.logScale[c]);
      continue;
    }
    // Same hat-function weights as the tfjs path: (1−f) on knot i, f on knot i+1.
    loc[c] = (1 - f) * w.loc[i * w.channels + c] + f * w.loc[(i + 1) * w.channels + c];
    scale[c] = Math.exp((1 - f) * w.logScale[i * w.channels + c] + f * w.logScale[(i + 1) * w.channels + c]);
  }
  return { loc, scale };
}

/** The u with logitsCdf(u) = target, by bracketing and bisection (the logits are monotone in u). */
export function solveLogits(w: DensityWeights, c: number, target: number): number {
  let lo = -1;
  let hi = 1;
  for (let k = 0; logitsCdf(w, c, lo) > target; k++) {
    if (k > 80) throw new Error(`entropy model channel ${c}: cannot bracket the quantile at logit ${target}`);
    lo *= 2;
  }
  for (let k = 0; logitsCdf(w, c, hi) < target; k++) {
    if (k > 80) throw new Error(`entropy model channel ${c}: cannot bracket the quantile at logit ${target}`);
    hi *= 2;
  }
  for (let k = 0; k < 100 && hi - lo > 1e-12 * Math.max(1, Math.abs(lo)); k++) {
    const mid = 0.5 * (lo + hi);
    if (logitsCdf(w, c, mid) < target) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/** P(a < Y ≤ b) for logits la < lb, computed on the side where the sigmoids do not cancel. */
function massBetween(la: number, lb: number): number {
  return la + lb > 0 ? sigmoid(-la) - sigmoid(-lb) : sigmoid(lb) - sigmoid(la);
}

export interface CodingModel {
  /** One table per latent channel. */
  tables: CodingTable[];
  /** Quantization offset per channel (the median), float32-exact: ŷ = q + median. */
  medians: Float32Array;
}

/**
 * Coding tables at knot position t: for each channel, the median m, the symbols q whose bins
 * [m+q−½, m+q+½] cover all but `tailMass` of the density, their quantized probabilities, and an
 * escape symbol carrying the rest.
 */
export function codingModel(w: DensityWeights, t: number, options: TableOptions = DEFAULT_TABLE_OPTIONS): CodingModel {
  const { loc, scale } = locationScale(w, t);
  const tables: CodingTable[] = [];
  const medians = new Float32Array(w.channels);
  const tailLogit = Math.log(options.tailMass / 2 / (1 - options.tailMass / 2));
  for (let c = 0; c < w.channels; c++) {
    const mu = loc[c];
    const s = scale[c];
    const median = Math.fround(mu + s * solveLogits(w, c, 0));
    medians[c] = median;
    const lower = mu + s * solveLogits(w, c, tailLogit);
    const upper = mu + s * solveLogits(w, c, -tailLogit);
    const qmin = Math.max(-options.maxHalfWidth, Math.min(0, Math.floor(lower - median)));
    const qmax = Math.min(options.maxHalfWidth, Math.max(0, Math.ceil(upper - median)));
    const n = qmax - qmin + 1;
    const logit = (y: number): number => logitsCdf(w, c, (y - mu) / s);
    const pmf = new Float64Array(n + 1);
    let prev = logit(median + qmin - 0.5);
    const below = sigmoid(prev);
    for (let q = qmin; q <= qmax; q++) {
      const next = logit(median + q + 0.5);
      pmf[q - qmin] = massBetween(prev, next);
      prev = next;
    }
    pmf[n] = below + sigmoid(-prev);
    tables.push({ cdf: cumulative(quantizeFrequencies(pmf)), offset: qmin });
  }
  return { tables, medians };
}
