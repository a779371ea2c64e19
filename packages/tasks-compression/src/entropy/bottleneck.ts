import * as tf from '@tensorflow/tfjs';
import type { Params } from '@yoto/core';
import { lowerBound } from '../layers/bounds.js';
import { type CodingModel, codingModel, type DensityWeights, type TableOptions, DEFAULT_TABLE_OPTIONS } from './density.js';

export interface EntropyBottleneckOptions {
  /** Hidden widths of the per-channel density, (3, 3, 3) in Ballé et al. 2018. */
  filters?: number[];
  /** Initial spread of the density (about ±initScale). */
  initScale?: number;
  /** Likelihoods are bounded below by this, so one unlikely value cannot dominate the rate's gradient. */
  likelihoodBound?: number;
  /**
   * Knots of the λ-conditioned location-scale (0: a density independent of λ). μ_c and log s_c are
   * learned at K knots spread evenly over the conditioning position and interpolated linearly.
   */
  knots?: number;
}

/**
 * Factorized entropy model per latent channel (Ballé et al. 2018, appendix 6.1), optionally
 * conditioned on λ through a learned per-channel location and scale.
 *
 * Training: additive uniform noise stands in for rounding and the likelihood of ỹ is the density
 * convolved with U(−½, ½), i.e. F(ỹ+½) − F(ỹ−½). Inference: y is rounded around the per-channel
 * median (ŷ = round(y − m) + m), the offset that makes the integer grid fall where the density is
 * highest, and the same F gives the probability of each bin.
 */
export class EntropyBottleneck {
  readonly filters: number[];
  readonly knots: number;
  readonly likelihoodBound: number;
  private readonly dims: number[];
  private readonly matrices: tf.Variable[] = [];
  private readonly biases: tf.Variable[] = [];
  private readonly factors: tf.Variable[] = [];
  private readonly loc: tf.Variable | null;
  private readonly logScale: tf.Variable | null;

  constructor(
    p: Params,
    readonly channels: number,
    o: EntropyBottleneckOptions = {},
  ) {
    this.filters = o.filters ?? [3, 3, 3];
    this.knots = o.knots ?? 0;
    this.likelihoodBound = o.likelihoodBound ?? 1e-9;
    if (!Number.isInteger(this.knots) || this.knots < 0 || this.knots === 1)
      throw new Error(`entropy bottleneck: knots must be 0 or an integer ≥ 2, got ${this.knots}`);
    const initScale = o.initScale ?? 10;
    this.dims = [1, ...this.filters, 1];
    const layers = this.filters.length + 1;
    const scale = initScale ** (1 / layers);
    for (let i = 0; i < layers; i++) {
      const dout = this.dims[i + 1];
      const din = this.dims[i];
      // softplus(init) = 1 / (scale · dout): the composed map starts as a gentle ramp of width ≈ initScale.
      const init = Math.log(Math.expm1(1 / scale / dout));
      this.matrices.push(p.variable(`matrix${i}`, [channels, dout, din], { kind: 'constant', value: init }));
      this.biases.push(p.variable(`bias${i}`, [channels, dout, 1], { kind: 'uniform', low: -0.5, high: 0.5 }));
      if (i < this.filters.length) this.factors.push(p.variable(`factor${i}`, [channels, dout, 1], { kind: 'zeros' }));
    }
    this.loc = this.knots > 0 ? p.variable('knots/loc', [this.knots, channels], { kind: 'zeros' }) : null;
    this.logScale = this.knots > 0 ? p.variable('knots/log_scale', [this.knots, channels], { kind: 'zeros' }) : null;
  }

  /** The density's trainable variables (for refitting the entropy model alone). */
  get variables(): tf.Variable[] {
    return [...this.matrices, ...this.biases, ...this.factors, ...(this.loc ? [this.loc] : []), ...(this.logScale ? [this.logScale] : [])];
  }

  /** Logits of the cumulative at u, [C, 1, n] → [C, 1, n]. */
  private logitsCdf(u: tf.Tensor3D): tf.Tensor3D {
    let v: tf.Tensor3D = u;
    for (let i = 0; i < this.matrices.length; i++) {
      v = tf.add(tf.matMul(tf.softplus(this.matrices[i]) as tf.Tensor3D, v), this.biases[i]);
      if (i < this.factors.length) v = tf.add(v, tf.mul(tf.tanh(this.factors[i]), tf.tanh(v)));
    }
    return v;
  }

  /**
   * Per-example hat weights over the knots, [B, K], from knot positions t ∈ [0, K−1] ([B]);
   * position and weights are clamped so λ outside the range uses the end knots.
   */
  private knotWeights(position: tf.Tensor1D): tf.Tensor2D {
    const t = tf.clipByValue(position, 0, this.knots - 1);
    const k = tf.range(0, this.knots, 1, 'float32');
    return tf.relu(tf.sub(1, tf.abs(tf.sub(tf.expandDims(t, 1), tf.expandDims(k, 0))))) as tf.Tensor2D;
  }

  /**
   * Likelihood of each value of ỹ ([B, H, W, C]) under the density at each example's knot position
   * (`position` [B], ignored without knots), bounded below by `likelihoodBound`.
   */
  likelihood(yTilde: tf.Tensor4D, position: tf.Tensor1D | null): tf.Tensor4D {
    return tf.tidy(() => {
      const [b, h, w, c] = yTilde.shape;
      if (c !== this.channels) throw new Error(`entropy bottleneck: expected ${this.channels} channels, got ${c}`);
      let u: tf.Tensor = yTilde;
      let half: tf.Tensor = tf.scalar(0.5);
      if (this.loc && this.logScale) {
        if (!position) throw new Error('entropy bottleneck: this model is λ-conditioned and needs a knot position per example');
        const hat = this.knotWeights(position);
        const mu = tf.reshape(tf.matMul(hat, this.loc as tf.Tensor2D), [b, 1, 1, c]);
        const invScale = tf.reshape(tf.exp(tf.neg(tf.matMul(hat, this.logScale as tf.Tensor2D))), [b, 1, 1, c]);
        u = tf.mul(tf.sub(yTilde, mu), invScale);
        half = tf.mul(invScale, 0.5);
      }
      const toChannels = (t: tf.Tensor): tf.Tensor3D => tf.reshape(tf.transpose(t, [3, 0, 1, 2]), [c, 1, b * h * w]);
      // Lower and upper bin edges in one pass through the density.
      const edges = tf.concat([toChannels(tf.sub(u, half)), toChannels(tf.add(u, half))], 2);
      const logits = this.logitsCdf(edges);
      const n = b * h * w;
      const lower = tf.slice(logits, [0, 0, 0], [c, 1, n]);
      const upper = tf.slice(logits, [0, 0, n], [c, 1, n]);
      // Evaluate on the side of the median where the sigmoids do not cancel (precision in the tails).
      // Never a zero sign (tf.sign(0) = 0 would give likelihood 0): a bin centred on the median of
      // a symmetric density has lower + upper = 0 exactly, and median-offset rounding puts ŷ there.
      // sign(sign(s) + ½) maps s ≥ 0 to 1 and s < 0 to −1; tf.sign has a zero gradient, as wanted.
      const sign = tf.neg(tf.sign(tf.add(tf.sign(tf.add(lower, upper)), 0.5)));
      const lik = tf.abs(tf.sub(tf.sigmoid(tf.mul(sign, upper)), tf.sigmoid(tf.mul(sign, lower))));
      const bounded = lowerBound(lik, this.likelihoodBound);
      return tf.transpose(tf.reshape(bounded, [c, b, h, w]), [1, 2, 3, 0]) as tf.Tensor4D;
    });
  }

  /**
   * Per-example quantization offsets [B, C] at knot positions `position` ([B]; null without knots)
   * from the base density's medians `base` ([C], float64 from density.ts): μ_c(t) + s_c(t)·base_c,
   * the medians the coder rounds around (codingModel), as a tensor for training. Not differentiated.
   */
  medians(base: Float32Array, batch: number, position: tf.Tensor1D | null): tf.Tensor2D {
    return tf.tidy(() => {
      const m = tf.tensor2d(base, [1, this.channels]);
      if (!this.loc || !this.logScale) return tf.tile(m, [batch, 1]) as tf.Tensor2D;
      if (!position) throw new Error('entropy bottleneck: this model is λ-conditioned and needs a knot position per example');
      const hat = this.knotWeights(position);
      const mu = tf.matMul(hat, this.loc as tf.Tensor2D);
      const scale = tf.exp(tf.matMul(hat, this.logScale as tf.Tensor2D));
      return tf.add(mu, tf.mul(scale, m)) as tf.Tensor2D;
    });
  }

  /**
   * round(y − m) + m in the forward pass, the identity in the backward pass (straight-through): the
   * decoder trains on the values it will decode, while the encoder still gets its gradient.
   */
  static straightThrough(y: tf.Tensor4D, medians: tf.Tensor2D): tf.Tensor4D {
    const [b, , , c] = y.shape;
    const m = tf.reshape(medians, [b, 1, 1, c]);
    const op = tf.customGrad(((input: tf.Tensor, save: tf.GradSaveFunc) => {
      save([]);
      return { value: tf.add(tf.round(tf.sub(input, m)), m), gradFunc: (dy: tf.Tensor) => dy };
    }) as unknown as Parameters<typeof tf.customGrad>[0]);
    return op(y) as tf.Tensor4D;
  }

  /** ỹ = y + U(−½, ½), seeded so a training step can be replayed. */
  static addNoise(y: tf.Tensor4D, seed: number): tf.Tensor4D {
    return tf.tidy(() => tf.add(y, tf.randomUniform(y.shape, -0.5, 0.5, 'float32', seed)) as tf.Tensor4D);
  }

  /** Symbols q = round(y − m) per channel, with per-example medians [B, C]. */
  static quantize(y: tf.Tensor4D, medians: tf.Tensor2D): tf.Tensor4D {
    return tf.tidy(() => {
      const [b, , , c] = y.shape;
      return tf.round(tf.sub(y, tf.reshape(medians, [b, 1, 1, c]))) as tf.Tensor4D;
    });
  }

  /** ŷ = q + m: the values the decoder reconstructs from the symbols. */
  static dequantize(q: tf.Tensor4D, medians: tf.Tensor2D): tf.Tensor4D {
    return tf.tidy(() => {
      const [b, , , c] = q.shape;
      return tf.add(q, tf.reshape(medians, [b, 1, 1, c])) as tf.Tensor4D;
    });
  }

  /** The current weights as float64 arrays, with the constraints (softplus, tanh) applied. */
  snapshot(): DensityWeights {
    const read = (v: tf.Variable, f: (x: number) => number): Float64Array => Float64Array.from(v.dataSync() as Float32Array, f);
    const softplus = (x: number): number => (x > 30 ? x : Math.log1p(Math.exp(x)));
    const ident = (x: number): number => x;
    return {
      channels: this.channels,
      dims: [...this.dims],
      matrices: this.matrices.map((m) => read(m, softplus)),
      biases: this.biases.map((b) => read(b, ident)),
      factors: this.factors.map((a) => read(a, Math.tanh)),
      knots: this.knots,
      loc: this.loc ? read(this.loc, ident) : null,
      logScale: this.logScale ? read(this.logScale, ident) : null,
    };
  }

  /** Coding tables and medians at knot position t (see density.ts for why this is not tfjs). */
  codingModel(t: number, options: TableOptions = DEFAULT_TABLE_OPTIONS, weights: DensityWeights = this.snapshot()): CodingModel {
    return codingModel(weights, t, options);
  }
}
