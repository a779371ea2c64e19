import * as tf from '@tensorflow/tfjs';
import {
  type CoefficientSpace,
  ConditioningNetwork,
  conv2d,
  conv2dTranspose,
  film,
  type FilmParams,
  type Layer,
  ParamStore,
  type TaskModel,
} from '@yoto/core';
import { EntropyBottleneck } from '../entropy/bottleneck.js';
import { type CodingModel, type DensityWeights, solveLogits } from '../entropy/density.js';
import { gdn } from '../layers/gdn.js';
import { type FactorizedPriorConfig, resolveConfig } from './config.js';
import { CONDITIONING_SCOPE, ENTROPY_SCOPE, STEP_SCOPE } from './scopes.js';

/** The term whose λ the model is conditioned on; the rate term's coefficient is fixed at 1. */
export const DISTORTION = 'distortion';
export const RATE = 'rate';

export interface FactorizedPriorOptions {
  space: CoefficientSpace;
  /** FiLM-conditioned on log λ (YOTO) or a fixed-λ baseline with the same backbone. */
  conditioned: boolean;
  seed: number;
  config?: Partial<FactorizedPriorConfig>;
  /**
   * A baseline's λ (of the distortion term): with quantizationStep 'lambda' its own step starts at
   * the YOTO model's initial Δ(λ) there. Absent (or for a conditioned model): Δ starts at 1.
   */
  lambda?: number;
}

// The parameter scopes are re-exported from here (and so from the package's main entry) for the model's users.
export { CONDITIONING_SCOPE, ENTROPY_SCOPE, STEP_SCOPE } from './scopes.js';

/** Checks the space's shape for this model and returns the declared λ support of the distortion term. */
function distortionSupport(space: CoefficientSpace): [number, number] {
  if (!space.terms.includes(DISTORTION) || !space.terms.includes(RATE))
    throw new Error(`factorized-prior: the space's terms must include '${DISTORTION}' and '${RATE}', got ${space.terms.join(', ')}`);
  if (space.conditionedTerms.includes(RATE)) throw new Error(`factorized-prior: the '${RATE}' coefficient must be fixed (at 1), it is conditioned`);
  const rate = space.support(RATE);
  if (rate.min !== 1 || rate.max !== 1) throw new Error(`factorized-prior: the '${RATE}' coefficient must be fixed at 1, the space gives [${rate.min}, ${rate.max}]`);
  const d = space.support(DISTORTION);
  if (!(d.min > 0)) throw new Error(`factorized-prior: λ of '${DISTORTION}' must be > 0, the space allows ${d.min}`);
  return [d.min, d.max];
}

/**
 * log Δ a baseline starts with: the YOTO model's initial −½·ln(λ/λ_mid) (λ_mid the geometric middle
 * of the range), so both models start from the same operating point at λ; 0 (Δ = 1) without a λ.
 */
export function initialLogStep(range: readonly [number, number], lambda: number | undefined): number {
  if (lambda === undefined) return 0;
  if (!(Number.isFinite(lambda) && lambda > 0)) throw new Error(`factorized-prior: a baseline's λ must be a finite number > 0, got ${lambda}`);
  return -0.5 * Math.log(lambda / Math.sqrt(range[0] * range[1]));
}

/** Median of each channel's base density (before the λ location-scale), as the coder computes it. */
function baseMedians(w: DensityWeights): Float32Array {
  return Float32Array.from({ length: w.channels }, (_, c) => solveLogits(w, c, 0));
}

/** Outputs of the model at one λ with rounding, as the codec sees it. */
export interface QuantizedOutput {
  /** Latents before rounding, [B, h, w, M]. */
  y: tf.Tensor4D;
  /** Integer symbols round(y − median), as float32, [B, h, w, M]. */
  symbols: tf.Tensor4D;
  /** ŷ = symbols + median. */
  yHat: tf.Tensor4D;
  /** Synthesis of ŷ, unclipped, [B, H, W, 3]. */
  xHat: tf.Tensor4D;
  /** −Σ log2 p(ŷ) per example: the model's estimate of the coded size in bits, [B]. */
  bits: tf.Tensor1D;
}

/**
 * Ballé et al.'s factorized-prior transform coder in CompressAI's layout, conditioned on λ:
 *
 *   analysis  g_a: conv5×5/2 3→N, FiLM, GDN; conv N→N, FiLM, GDN; conv N→N, FiLM, GDN; conv N→M, FiLM
 *   synthesis g_s: deconv5×5/2 M→N, FiLM, IGDN; deconv N→N, FiLM, IGDN; deconv N→N, FiLM, IGDN; deconv N→3
 *
 * FiLM follows every convolution except the last synthesis one: that layer outputs the image, and a
 * λ-dependent per-colour affine map of the pixels is not a useful degree of freedom (the PyTorch
 * reference in ../shared/anchors makes the same choice). FiLM on the last analysis conv is kept:
 * it lets the encoder rescale the latents per λ, which is how the rate moves with λ.
 *
 * A conditioned model's entropy bottleneck is λ-conditioned too (see entropy/density.ts); a
 * baseline (`conditioned: false`) has neither FiLM nor knots, with the same backbone. With
 * quantizationStep 'lambda' a baseline has its own learned per-channel step Δ, started at the YOTO
 * model's Δ(λ) for the baseline's λ: without it the baseline can move its operating point only by
 * rescaling the analysis weights at the base learning rate, and within a short budget every
 * baseline stays near the initial latent scale whatever its λ (research/baseline-lambda.ts).
 */
export class FactorizedPrior implements TaskModel {
  readonly params: ParamStore;
  readonly conditioned: boolean;
  readonly config: FactorizedPriorConfig;
  readonly space: CoefficientSpace;
  /** λ support of the distortion term in the space (equal ends for a fixed-λ baseline). */
  readonly lambdaRange: readonly [number, number];
  readonly bottleneck: EntropyBottleneck;
  private readonly conditioning: ConditioningNetwork | null;
  /** log Δ per latent channel at the low and high ends of the λ range (config quantizationStep 'lambda'). */
  private readonly logStep: { low: tf.Variable; high: tf.Variable } | null;
  /** A baseline's log Δ per latent channel (config quantizationStep 'lambda', not conditioned). */
  private readonly fixedLogStep: tf.Variable | null;
  private readonly analysisConvs: Layer<tf.Tensor4D, tf.Tensor4D>[] = [];
  private readonly analysisGdn: Layer<tf.Tensor4D, tf.Tensor4D>[] = [];
  private readonly synthesisConvs: Layer<tf.Tensor4D, tf.Tensor4D>[] = [];
  private readonly synthesisGdn: Layer<tf.Tensor4D, tf.Tensor4D>[] = [];
  /**
   * The condition column of λ_distortion when the space range-encodes it: the position u ∈ [−1, 1]
   * of log λ in the training range, which the knots and Δ(λ) read directly; −1 when not range-encoded.
   */
  private readonly rangeColumn: number;

  constructor(options: FactorizedPriorOptions) {
    this.config = resolveConfig(options.config);
    this.space = options.space;
    this.conditioned = options.conditioned;
    this.lambdaRange = distortionSupport(options.space);
    const { N, M } = this.config;
    const knots = this.conditioned ? this.config.densityKnots : 0;
    if (this.conditioned) {
      if (!options.space.conditionedTerms.includes(DISTORTION))
        throw new Error(`factorized-prior: a conditioned model needs a space in which λ of '${DISTORTION}' varies`);
      if (!(this.lambdaRange[1] > this.lambdaRange[0])) throw new Error('factorized-prior: a conditioned model needs a λ range with low < high');
      const ranged = options.space.encodings[DISTORTION] === 'range';
      if (!ranged && (knots > 0 || this.config.quantizationStep === 'lambda'))
        throw new Error(
          `factorized-prior: a conditioned model with density knots or a λ-dependent quantization step reads λ's position in its range from the condition; the space must encode '${DISTORTION}' as 'range' (encoding: { ${DISTORTION}: 'range' }), it encodes it '${options.space.encodings[DISTORTION]}'`,
        );
    }
    this.rangeColumn = options.space.encodings[DISTORTION] === 'range' ? options.space.conditionedTerms.indexOf(DISTORTION) : -1;
    this.params = new ParamStore(options.seed);
    const p = this.params;
    const conv = { kernelSize: 5, strides: 2, padding: 'same' as const };
    const aIn = [3, N, N, N];
    const aOut = [N, N, N, M];
    for (let i = 0; i < 4; i++) {
      this.analysisConvs.push(conv2d(p, `g_a/conv${i}`, aIn[i], { ...conv, filters: aOut[i] }));
      if (i < 3) this.analysisGdn.push(gdn(p, `g_a/gdn${i}`, N));
    }
    const sIn = [M, N, N, N];
    const sOut = [N, N, N, 3];
    for (let i = 0; i < 4; i++) {
      this.synthesisConvs.push(conv2dTranspose(p, `g_s/deconv${i}`, sIn[i], { ...conv, filters: sOut[i] }));
      if (i < 3) this.synthesisGdn.push(gdn(p, `g_s/igdn${i}`, N, { inverse: true }));
    }
    this.bottleneck = new EntropyBottleneck(p.scope(ENTROPY_SCOPE), M, { filters: this.config.filters, knots });
    this.conditioning = this.conditioned
      ? new ConditioningNetwork(p, {
          inputDim: options.space.conditionDim,
          layers: [
            ...aOut.map((channels, i) => ({ name: `g_a${i}`, channels })),
            ...sOut.slice(0, 3).map((channels, i) => ({ name: `g_s${i}`, channels })),
          ],
          hidden: this.config.conditioningHidden,
          multiplier: this.config.filmMultiplier,
        })
      : null;
    // Δ ∝ λ^(−½) over the range: log Δ = ±¼·ln(high/low) at the ends, 0 (Δ = 1) at the geometric middle.
    const quarter = Math.log(this.lambdaRange[1] / this.lambdaRange[0]) / 4;
    const stepped = this.config.quantizationStep === 'lambda';
    this.logStep =
      this.conditioned && stepped
        ? {
            low: p.variable(`${CONDITIONING_SCOPE}log_step/low`, [M], { kind: 'constant', value: quarter }),
            high: p.variable(`${CONDITIONING_SCOPE}log_step/high`, [M], { kind: 'constant', value: -quarter }),
          }
        : null;
    this.fixedLogStep = !this.conditioned && stepped ? p.variable(`${STEP_SCOPE}log_step`, [M], { kind: 'constant', value: initialLogStep(this.lambdaRange, options.lambda) }) : null;
  }

  /** The full λ vector (term order) for a distortion coefficient λ: rate fixed at 1. */
  lambdaVector(lambda: number): number[] {
    return this.space.terms.map((t) => (t === DISTORTION ? lambda : 1));
  }

  /** The space's conditions [n, conditionDim] for distortion coefficients `lambdas` (null for a baseline). */
  conditionFor(lambdas: readonly number[]): tf.Tensor2D | null {
    if (!this.conditioned) return null;
    return this.space.condition(lambdas.flatMap((l) => this.lambdaVector(l)), lambdas.length);
  }

  /** Knot position (float64, as the coder computes it) from a range position u ∈ [−1, 1]: −1 → 0, +1 → knots − 1. */
  private knotOfRange(u: number): number {
    return ((u + 1) / 2) * (this.bottleneck.knots - 1);
  }

  /** Knot position of the λ-conditioned density for one λ (float64, from the space's condition). */
  knotPosition(lambda: number): number {
    if (this.bottleneck.knots === 0) return 0;
    const c = this.conditionFor([lambda])!;
    const u = c.dataSync()[this.rangeColumn];
    c.dispose();
    return this.knotOfRange(u);
  }

  /** The range column u ∈ [−1, 1] of the conditions, [B, 1]. */
  private rangePositions(condition: tf.Tensor2D): tf.Tensor2D {
    return tf.slice(condition, [0, this.rangeColumn], [-1, 1]);
  }

  /** Knot positions [B] from conditions [B, conditionDim] (tfjs, for training). */
  private knotPositions(condition: tf.Tensor2D | null): tf.Tensor1D | null {
    const knots = this.bottleneck.knots;
    if (knots === 0 || !condition) return null;
    return tf.mul(tf.add(tf.reshape(this.rangePositions(condition), [-1]), 1), (knots - 1) / 2) as tf.Tensor1D;
  }

  /** Quantization step Δ(λ) per example and channel, [B, 1, 1, M] ([1, 1, 1, M] for a baseline); null when the step is 1. */
  private quantizationSteps(condition: tf.Tensor2D | null): tf.Tensor4D | null {
    if (this.fixedLogStep) return tf.reshape(tf.exp(this.fixedLogStep), [1, 1, 1, this.config.M]);
    if (!this.logStep) return null;
    if (!condition) throw new Error('factorized-prior: this model is λ-conditioned; a condition is required');
    const u = this.rangePositions(condition);
    const { low, high } = this.logStep;
    const mid = tf.div(tf.add(low, high), 2);
    const half = tf.div(tf.sub(high, low), 2);
    return tf.reshape(tf.exp(tf.add(mid, tf.mul(u, half))), [-1, 1, 1, this.config.M]);
  }

  private films(condition: tf.Tensor2D | null): Record<string, FilmParams> | null {
    if (!this.conditioning) return null;
    if (!condition) throw new Error('factorized-prior: this model is λ-conditioned; a condition is required');
    return this.conditioning.apply(condition);
  }

  private modulate(x: tf.Tensor4D, films: Record<string, FilmParams> | null, name: string): tf.Tensor4D {
    return films ? (film(x, films[name]) as tf.Tensor4D) : x;
  }

  analysis(x: tf.Tensor4D, condition: tf.Tensor2D | null): tf.Tensor4D {
    return tf.tidy(() => {
      if (x.shape[3] !== 3) throw new Error(`factorized-prior: the input must have 3 channels, got [${x.shape.join(', ')}]`);
      const films = this.films(condition);
      let h = x;
      for (let i = 0; i < 4; i++) {
        h = this.modulate(this.analysisConvs[i](h), films, `g_a${i}`);
        if (i < 3) h = this.analysisGdn[i](h);
      }
      const step = this.quantizationSteps(condition);
      return step ? (tf.div(h, step) as tf.Tensor4D) : h;
    });
  }

  synthesis(yHat: tf.Tensor4D, condition: tf.Tensor2D | null): tf.Tensor4D {
    return tf.tidy(() => {
      const films = this.films(condition);
      const step = this.quantizationSteps(condition);
      let h = step ? (tf.mul(yHat, step) as tf.Tensor4D) : yHat;
      for (let i = 0; i < 4; i++) {
        h = this.synthesisConvs[i](h);
        if (i < 3) h = this.synthesisGdn[i](this.modulate(h, films, `g_s${i}`));
      }
      return h;
    });
  }

  /**
   * Training forward pass: uniform noise on the latents, and per-example bits −Σ log2 p(ỹ).
   * `noiseSeed` makes the noise a function of the batch, so a resumed run replays the same step.
   * With trainingQuantization 'mixed' the synthesis gets the rounded latents (straight-through).
   */
  trainForward(x: tf.Tensor4D, condition: tf.Tensor2D | null, noiseSeed: number): { xHat: tf.Tensor4D; bits: tf.Tensor1D } {
    // The base density's medians, read before the tape (float64 bisection on the current weights).
    const base = this.config.trainingQuantization === 'mixed' ? baseMedians(this.densityWeights()) : null;
    return tf.tidy(() => {
      const y = this.analysis(x, condition);
      const yTilde = EntropyBottleneck.addNoise(y, noiseSeed);
      const bits = this.bitsOf(yTilde, condition);
      const decoded = base ? EntropyBottleneck.straightThrough(y, this.bottleneck.medians(base, x.shape[0], this.knotPositions(condition))) : yTilde;
      return { xHat: this.synthesis(decoded, condition), bits };
    });
  }

  /** −Σ log2 p per example of latents (noisy or rounded) under the entropy model at each condition. */
  bitsOf(values: tf.Tensor4D, condition: tf.Tensor2D | null): tf.Tensor1D {
    return tf.tidy(() => {
      const lik = this.bottleneck.likelihood(values, this.knotPositions(condition));
      return tf.div(tf.neg(tf.sum(tf.log(lik), [1, 2, 3])), Math.LN2) as tf.Tensor1D;
    });
  }

  /** Float64 density weights for the coder (read once, reuse for several λ). */
  densityWeights(): DensityWeights {
    return this.bottleneck.snapshot();
  }

  /** Coding tables and medians at λ. */
  codingModel(lambda: number, weights: DensityWeights = this.densityWeights()): CodingModel {
    return this.bottleneck.codingModel(this.knotPosition(lambda), undefined, weights);
  }

  /**
   * Inference at one λ for a whole batch: latents rounded around the medians of the coding model,
   * reconstruction from ŷ, and the estimated bits. The codec reproduces `xHat` exactly.
   */
  quantizedForward(x: tf.Tensor4D, lambda: number, coding: CodingModel = this.codingModel(lambda)): QuantizedOutput {
    return tf.tidy(() => {
      const condition = this.conditionFor(Array(x.shape[0]).fill(lambda));
      const y = this.analysis(x, condition);
      const medians = tf.tile(tf.tensor2d(coding.medians, [1, this.config.M]), [x.shape[0], 1]) as tf.Tensor2D;
      const symbols = EntropyBottleneck.quantize(y, medians);
      const yHat = EntropyBottleneck.dequantize(symbols, medians);
      const bits = this.bitsOf(yHat, condition);
      const xHat = this.synthesis(yHat, condition);
      return { y, symbols, yHat, xHat, bits };
    });
  }

  /**
   * Rounded forward pass with a λ per example, given as conditions (what the trainer's loss context
   * holds): medians per example from the coding model at each example's knot position.
   */
  evalForward(x: tf.Tensor4D, condition: tf.Tensor2D | null): { xHat: tf.Tensor4D; bits: tf.Tensor1D } {
    const b = x.shape[0];
    const M = this.config.M;
    const medians = new Float32Array(b * M);
    const weights = this.densityWeights();
    const cond = condition && this.bottleneck.knots > 0 ? condition.dataSync() : null;
    const cache = new Map<number, Float32Array>();
    for (let i = 0; i < b; i++) {
      const t = cond ? this.knotOfRange(cond[i * this.space.conditionDim + this.rangeColumn]) : 0;
      let m = cache.get(t);
      if (!m) {
        m = this.bottleneck.codingModel(t, undefined, weights).medians;
        cache.set(t, m);
      }
      medians.set(m, i * M);
    }
    return tf.tidy(() => {
      const med = tf.tensor2d(medians, [b, M]);
      const y = this.analysis(x, condition);
      const yHat = EntropyBottleneck.dequantize(EntropyBottleneck.quantize(y, med), med);
      return { xHat: this.synthesis(yHat, condition), bits: this.bitsOf(yHat, condition) };
    });
  }

  /** Reconstruction from integer symbols [1, h, w, M] at λ: what the decoder runs. */
  decodeSymbols(symbols: tf.Tensor4D, lambda: number, coding: CodingModel): tf.Tensor4D {
    return tf.tidy(() => {
      const b = symbols.shape[0];
      const medians = tf.tile(tf.tensor2d(coding.medians, [1, this.config.M]), [b, 1]) as tf.Tensor2D;
      const yHat = EntropyBottleneck.dequantize(symbols, medians);
      return this.synthesis(yHat, this.conditionFor(Array(b).fill(lambda)));
    });
  }

  dispose(): void {
    this.params.dispose();
  }
}
