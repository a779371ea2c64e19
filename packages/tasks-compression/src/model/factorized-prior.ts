import * as tf from '@tensorflow/tfjs';
import { type CoefficientSpace, ParamStore, type TaskModel } from '@yoto/core';
import { EntropyBottleneck } from '../entropy/bottleneck.js';
import { type CodingModel, type DensityWeights, solveLogits } from '../entropy/density.js';
import { mediansAt } from '../entropy/medians.js';
import { type FactorizedPriorConfig, resolveConfig } from './config.js';
import { ConditionedMain } from './conditioned-main.js';
import { conditioningNetwork } from './conditioning.js';
import { knotsOfRange, LambdaInput } from './lambda-input.js';
import { quantizationStep } from './lambda-step.js';
import { MainTransforms } from './main-transforms.js';
import { ENTROPY_SCOPE } from './scopes.js';

// The rate–distortion terms are re-exported from here (and so from the package's main entry), where they always were.
export { DISTORTION, RATE } from './lambda-input.js';

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
export { initialLogStep } from './lambda-step.js';

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
 * Ballé et al.'s factorized-prior transform coder in CompressAI's layout (the main transforms g_a,
 * g_s of main-transforms.ts), conditioned on λ by FiLM, with the latents coded by a factorized
 * entropy bottleneck.
 *
 * A conditioned model's entropy bottleneck is λ-conditioned too (see entropy/density.ts); a
 * baseline (`conditioned: false`) has neither FiLM nor knots, with the same backbone. With
 * quantizationStep 'lambda' a baseline has its own learned per-channel step Δ, started at the YOTO
 * model's Δ(λ) for the baseline's λ (lambda-step.ts says why).
 */
export class FactorizedPrior implements TaskModel {
  readonly params: ParamStore;
  readonly conditioned: boolean;
  readonly config: FactorizedPriorConfig;
  readonly space: CoefficientSpace;
  /** λ support of the distortion term in the space (equal ends for a fixed-λ baseline). */
  readonly lambdaRange: readonly [number, number];
  readonly bottleneck: EntropyBottleneck;
  private readonly lambda: LambdaInput;
  /** g_a / g_s with FiLM and Δ(λ) (config quantizationStep 'lambda'). */
  private readonly main: ConditionedMain;

  constructor(options: FactorizedPriorOptions) {
    this.config = resolveConfig(options.config);
    this.space = options.space;
    this.conditioned = options.conditioned;
    const { N, M } = this.config;
    const knots = this.conditioned ? this.config.densityKnots : 0;
    this.lambda = new LambdaInput('factorized-prior', options.space, options.conditioned, knots > 0 || this.config.quantizationStep === 'lambda');
    this.lambdaRange = this.lambda.lambdaRange;
    this.params = new ParamStore(options.seed);
    const p = this.params;
    const transforms = new MainTransforms(p, N, M, this.config.colourTransform === 'whitened');
    this.bottleneck = new EntropyBottleneck(p.scope(ENTROPY_SCOPE), M, { filters: this.config.filters, knots });
    const conditioning = this.conditioned
      ? conditioningNetwork(p, this.config, options.space.conditionDim, MainTransforms.filmLayers(N, M))
      : null;
    const stepped = this.config.quantizationStep === 'lambda';
    const step = quantizationStep(p, { conditioned: this.conditioned, stepped, ownDecoderStep: this.config.decoderStep === 'own', channels: M, lambdaRange: this.lambdaRange, lambda: options.lambda });
    this.main = new ConditionedMain('factorized-prior', this.lambda, transforms, conditioning, step);
  }

  /** The full λ vector (term order) for a distortion coefficient λ: rate fixed at 1. */
  lambdaVector(lambda: number): number[] {
    return this.lambda.lambdaVector(lambda);
  }

  /** The space's conditions [n, conditionDim] for distortion coefficients `lambdas` (null for a baseline). */
  conditionFor(lambdas: readonly number[]): tf.Tensor2D | null {
    return this.lambda.conditionFor(lambdas);
  }

  /** Knot position of the λ-conditioned density for one λ (float64, from the space's condition). */
  knotPosition(lambda: number): number {
    return this.lambda.knotPosition(lambda, this.bottleneck.knots);
  }

  /** Knot positions [B] from conditions [B, conditionDim] (tfjs, for training). */
  private knotPositions(condition: tf.Tensor2D | null): tf.Tensor1D | null {
    const knots = this.bottleneck.knots;
    if (knots === 0 || !condition) return null;
    return knotsOfRange(this.lambda.rangePositions(condition), knots);
  }

  analysis(x: tf.Tensor4D, condition: tf.Tensor2D | null): tf.Tensor4D {
    return this.main.analysis(x, condition);
  }

  synthesis(yHat: tf.Tensor4D, condition: tf.Tensor2D | null): tf.Tensor4D {
    return this.main.synthesis(yHat, condition);
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
      const encoded = this.encoderForward(x, lambda, coding);
      return { ...encoded, xHat: this.synthesis(encoded.yHat, this.conditionFor(Array(x.shape[0]).fill(lambda))) };
    });
  }

  /**
   * The encoder's half of `quantizedForward` (everything but the synthesis): what a file needs. The
   * codec runs only this; the reconstruction a user sees is the decoder's.
   */
  encoderForward(x: tf.Tensor4D, lambda: number, coding: CodingModel = this.codingModel(lambda)): Omit<QuantizedOutput, 'xHat'> {
    return tf.tidy(() => {
      const condition = this.conditionFor(Array(x.shape[0]).fill(lambda));
      const y = this.analysis(x, condition);
      const medians = tf.tile(tf.tensor2d(coding.medians, [1, this.config.M]), [x.shape[0], 1]) as tf.Tensor2D;
      const symbols = EntropyBottleneck.quantize(y, medians);
      const yHat = EntropyBottleneck.dequantize(symbols, medians);
      return { y, symbols, yHat, bits: this.bitsOf(yHat, condition) };
    });
  }

  /**
   * Rounded forward pass with a λ per example, given as conditions (what the trainer's loss context
   * holds): medians per example from the coding model at each example's knot position.
   */
  evalForward(x: tf.Tensor4D, condition: tf.Tensor2D | null): { xHat: tf.Tensor4D; bits: tf.Tensor1D } {
    const b = x.shape[0];
    const M = this.config.M;
    const medians = mediansAt(this.densityWeights(), this.lambda.knotPositionsOf(condition, b, this.bottleneck.knots));
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
    this.main.dispose();
  }
}
