import * as tf from '@tensorflow/tfjs';
import { type CoefficientSpace, conv2d, conv2dTranspose, type Layer, ParamStore, type TaskModel } from '@yoto/core';
import { EntropyBottleneck } from '../entropy/bottleneck.js';
import { type CodingModel, type DensityWeights } from '../entropy/density.js';
import { gaussianLikelihood } from '../entropy/gaussian-conditional.js';
import { mediansAt } from '../entropy/medians.js';
import { type FactorizedPriorConfig, resolveConfig } from './config.js';
import { ConditionedMain } from './conditioned-main.js';
import { conditioningNetwork } from './conditioning.js';
import { knotsOfRange, LambdaInput } from './lambda-input.js';
import { quantizationStep } from './lambda-step.js';
import { filmMosaic, fromMosaic, mosaicGrid, toMosaic } from './hyper-mosaic.js';
import { MainTransforms, modulate } from './main-transforms.js';
import { ENTROPY_SCOPE } from './scopes.js';

/**
 * The scale hyperprior's configuration has the factorized prior's keys: N (hidden channels of the
 * main and hyper transforms, and the hyper-latent channels), M (latent channels), and filters /
 * densityKnots of the hyper-latents' factorized density.
 */
export type ScaleHyperpriorConfig = FactorizedPriorConfig;

export interface ScaleHyperpriorOptions {
  space: CoefficientSpace;
  /** FiLM-conditioned on λ (YOTO) or a fixed-λ baseline with the same backbone. */
  conditioned: boolean;
  seed: number;
  config?: Partial<ScaleHyperpriorConfig>;
  /** A baseline's λ (of the distortion term): with quantizationStep 'lambda' its own step starts at the YOTO model's initial Δ(λ) there. */
  lambda?: number;
}

/** Outputs of the model at one λ with rounding, as the codec sees it. */
export interface HyperpriorQuantizedOutput {
  /** Latents before rounding (divided by Δ(λ) when the step is λ-dependent), [B, h, w, M]. */
  y: tf.Tensor4D;
  /** Integer symbols round(y) (ŷ = symbols: the Gaussians are zero-mean), as float32. */
  ySymbols: tf.Tensor4D;
  /** Integer hyper-latent symbols round(z − median), as float32, [B, ⌈h/4⌉, ⌈w/4⌉, N]. */
  zSymbols: tf.Tensor4D;
  /** Scales predicted from ẑ, [B, h, w, M] (the Gaussian conditional bounds them below). */
  scales: tf.Tensor4D;
  /** Synthesis of ŷ, unclipped, [B, H, W, 3]. */
  xHat: tf.Tensor4D;
  /** −Σ log2 p(ẑ) − Σ log2 p(ŷ | σ) per example: the estimate of both streams' size in bits, [B]. */
  bits: tf.Tensor1D;
  /** The hyper-latents' share of `bits` (the side information), [B]. */
  zBits: tf.Tensor1D;
}

/** Channel-last bits −Σ log2 lik per example. */
function bitsOfLikelihood(lik: tf.Tensor4D): tf.Tensor1D {
  return tf.tidy(() => tf.div(tf.neg(tf.sum(tf.log(lik), [1, 2, 3])), Math.LN2) as tf.Tensor1D);
}

/**
 * Ballé et al. 2018's scale hyperprior (CompressAI's `bmshj2018-hyperprior`), conditioned on λ:
 *
 *   y = g_a(x)                      main analysis (main-transforms.ts), then ÷ Δ(λ) if stepped
 *   z = h_a(|y|)                    conv3×3 M→N, FiLM, ReLU; conv5×5/2 N→N, FiLM, ReLU; conv5×5/2 N→N, FiLM
 *   σ = h_s(ẑ)                      deconv5×5/2 N→N, FiLM, ReLU; deconv5×5/2 N→N, FiLM, ReLU; conv3×3 N→M, FiLM, ReLU
 *   ŷ coded under N(0, σ) ⊛ U(−½, ½) (entropy/gaussian-conditional.ts), ẑ under the factorized
 *   entropy bottleneck (λ-conditioned knots as in the factorized prior), x̂ = g_s(ŷ · Δ(λ)).
 *
 * FiLM follows every hyper convolution, the last h_s one included: it lets the predicted scales move
 * with λ directly. The rate is the sum of both streams. σ is predicted on the grid ⌈h/4⌉·4 and
 * cropped to y's h × w, so images need no padding beyond the main transform's 16.
 */
export class ScaleHyperprior implements TaskModel {
  readonly architecture = 'hyperprior';
  readonly params: ParamStore;
  readonly conditioned: boolean;
  readonly config: ScaleHyperpriorConfig;
  readonly space: CoefficientSpace;
  /** λ support of the distortion term in the space (equal ends for a fixed-λ baseline). */
  readonly lambdaRange: readonly [number, number];
  /** The hyper-latents' factorized entropy model (N channels). */
  readonly bottleneck: EntropyBottleneck;
  private readonly lambda: LambdaInput;
  /** g_a / g_s with FiLM and Δ(λ); its FiLM network also modulates h_a and h_s. */
  private readonly main: ConditionedMain;
  private readonly hyperAnalysisConvs: Layer<tf.Tensor4D, tf.Tensor4D>[];
  private readonly hyperSynthesisConvs: Layer<tf.Tensor4D, tf.Tensor4D>[];

  constructor(options: ScaleHyperpriorOptions) {
    this.config = resolveConfig(options.config, 'scale-hyperprior config');
    this.space = options.space;
    this.conditioned = options.conditioned;
    const { N, M } = this.config;
    const knots = this.conditioned ? this.config.densityKnots : 0;
    this.lambda = new LambdaInput('scale-hyperprior', options.space, options.conditioned, knots > 0 || this.config.quantizationStep === 'lambda');
    this.lambdaRange = this.lambda.lambdaRange;
    this.params = new ParamStore(options.seed);
    const p = this.params;
    const transforms = new MainTransforms(p, N, M, this.config.colourTransform === 'whitened');
    const down = { kernelSize: 5, strides: 2, padding: 'same' as const, filters: N };
    this.hyperAnalysisConvs = [
      conv2d(p, 'h_a/conv0', M, { kernelSize: 3, strides: 1, padding: 'same', filters: N }),
      conv2d(p, 'h_a/conv1', N, down),
      conv2d(p, 'h_a/conv2', N, down),
    ];
    this.hyperSynthesisConvs = [
      conv2dTranspose(p, 'h_s/deconv0', N, down),
      conv2dTranspose(p, 'h_s/deconv1', N, down),
      conv2d(p, 'h_s/conv2', N, { kernelSize: 3, strides: 1, padding: 'same', filters: M }),
    ];
    this.bottleneck = new EntropyBottleneck(p.scope(ENTROPY_SCOPE), N, { filters: this.config.filters, knots });
    const conditioning = this.conditioned
      ? conditioningNetwork(p, this.config, options.space.conditionDim, [
          ...MainTransforms.filmLayers(N, M),
          ...[N, N, N].map((channels, i) => ({ name: `h_a${i}`, channels })),
          ...[N, N, M].map((channels, i) => ({ name: `h_s${i}`, channels })),
        ])
      : null;
    const stepped = this.config.quantizationStep === 'lambda';
    const step = quantizationStep(p, { conditioned: this.conditioned, stepped, ownDecoderStep: this.config.decoderStep === 'own', channels: M, lambdaRange: this.lambdaRange, lambda: options.lambda });
    this.main = new ConditionedMain('scale-hyperprior', this.lambda, transforms, conditioning, step);
  }

  /** The space's conditions [n, conditionDim] for distortion coefficients `lambdas` (null for a baseline). */
  conditionFor(lambdas: readonly number[]): tf.Tensor2D | null {
    return this.lambda.conditionFor(lambdas);
  }

  /** Knot position of the hyper-latents' λ-conditioned density for one λ (float64, from the condition). */
  knotPosition(lambda: number): number {
    return this.lambda.knotPosition(lambda, this.bottleneck.knots);
  }

  /** y = g_a(x) (÷ Δ(λ) when stepped). */
  analysis(x: tf.Tensor4D, condition: tf.Tensor2D | null): tf.Tensor4D {
    return this.main.analysis(x, condition);
  }

  /** x̂ = g_s(ŷ · Δ(λ)). */
  synthesis(yHat: tf.Tensor4D, condition: tf.Tensor2D | null): tf.Tensor4D {
    return this.main.synthesis(yHat, condition);
  }

  /** z = h_a(|y|), [B, ⌈h/4⌉, ⌈w/4⌉, N]. */
  hyperAnalysis(y: tf.Tensor4D, condition: tf.Tensor2D | null): tf.Tensor4D {
    return tf.tidy(() => this.runHyperAnalysis(y, this.modulator(condition, null)));
  }

  /** FiLM of the hyper layers: per example, or per block of a training mosaic ([rows, cols]). */
  private modulator(condition: tf.Tensor2D | null, mosaic: [number, number] | null): (h: tf.Tensor4D, name: string) => tf.Tensor4D {
    const films = this.main.films(condition);
    if (!films || !mosaic) return (h, name) => modulate(h, films, name);
    return (h, name) => filmMosaic(h, films[name], mosaic[0], mosaic[1]);
  }

  private runHyperAnalysis(y: tf.Tensor4D, mod: (h: tf.Tensor4D, name: string) => tf.Tensor4D): tf.Tensor4D {
    let h = tf.abs(y) as tf.Tensor4D;
    this.hyperAnalysisConvs.forEach((conv, i) => {
      h = mod(conv(h), `h_a${i}`);
      if (i < 2) h = tf.relu(h);
    });
    return h;
  }

  private runHyperSynthesis(zHat: tf.Tensor4D, mod: (h: tf.Tensor4D, name: string) => tf.Tensor4D, height: number, width: number): tf.Tensor4D {
    let h = zHat;
    this.hyperSynthesisConvs.forEach((conv, i) => {
      h = tf.relu(mod(conv(h), `h_s${i}`));
    });
    return tf.slice(h, [0, 0, 0, 0], [-1, height, width, -1]);
  }

  /** σ = h_s(ẑ) cropped to the latent grid height × width, [B, height, width, M]. */
  hyperSynthesis(zHat: tf.Tensor4D, condition: tf.Tensor2D | null, height: number, width: number): tf.Tensor4D {
    return tf.tidy(() => this.runHyperSynthesis(zHat, this.modulator(condition, null), height, width));
  }

  /** −Σ log2 p(ẑ) per example under the hyper-latents' density at each condition. */
  private zBitsOf(zValues: tf.Tensor4D, condition: tf.Tensor2D | null): tf.Tensor1D {
    return tf.tidy(() => {
      const knots = this.bottleneck.knots;
      const positions = knots > 0 && condition ? knotsOfRange(this.lambda.rangePositions(condition), knots) : null;
      return bitsOfLikelihood(this.bottleneck.likelihood(zValues, positions));
    });
  }

  /**
   * Training forward pass: uniform noise on y and on z (independent streams from `noiseSeed`, so a
   * resumed run replays the same step), σ predicted from the noisy z̃, bits of both. With
   * trainingQuantization 'mixed' the synthesis gets round(y) (straight-through; the Gaussians are
   * zero-mean, so the coder's symbols are round(y) too). The hyper transforms see the batch's
   * latents as one mosaic when its crops allow it (hyper-mosaic.ts says why).
   */
  trainForward(x: tf.Tensor4D, condition: tf.Tensor2D | null, noiseSeed: number): { xHat: tf.Tensor4D; bits: tf.Tensor1D } {
    return tf.tidy(() => {
      const y = this.analysis(x, condition);
      const [b, h, w] = y.shape;
      // Blocks tile exactly only when each crop's hyper-latent grid is whole (h, w multiples of 4).
      const grid = b > 1 && h % 4 === 0 && w % 4 === 0 ? mosaicGrid(b) : null;
      const mod = this.modulator(condition, grid);
      const z = grid ? fromMosaic(this.runHyperAnalysis(toMosaic(y, ...grid), mod), ...grid) : this.runHyperAnalysis(y, mod);
      const zTilde = EntropyBottleneck.addNoise(z, (noiseSeed + 0x9e3779b9) >>> 0);
      const yTilde = EntropyBottleneck.addNoise(y, noiseSeed);
      const scales = grid ? fromMosaic(this.runHyperSynthesis(toMosaic(zTilde, ...grid), mod, grid[0] * h, grid[1] * w), ...grid) : this.runHyperSynthesis(zTilde, mod, h, w);
      const bits = tf.add(this.zBitsOf(zTilde, condition), bitsOfLikelihood(gaussianLikelihood(yTilde, scales))) as tf.Tensor1D;
      const decoded = this.config.trainingQuantization === 'mixed' ? EntropyBottleneck.straightThrough(y, tf.zeros([y.shape[0], y.shape[3]])) : yTilde;
      return { xHat: this.synthesis(decoded, condition), bits };
    });
  }

  /** Float64 density weights of the hyper-latents' entropy model (read once, reuse for several λ). */
  densityWeights(): DensityWeights {
    return this.bottleneck.snapshot();
  }

  /** The hyper-latents' coding tables and medians at λ (the latents' tables are constants: gaussian-conditional.ts). */
  codingModel(lambda: number, weights: DensityWeights = this.densityWeights()): CodingModel {
    return this.bottleneck.codingModel(this.knotPosition(lambda), undefined, weights);
  }

  /** Everything after the rounding of z but the synthesis: ẑ from its symbols and medians [B, N], σ, ŷ = round(y) and the bits. */
  private fromRounded(y: tf.Tensor4D, zSymbols: tf.Tensor4D, medians: tf.Tensor2D, condition: tf.Tensor2D | null): Omit<HyperpriorQuantizedOutput, 'y' | 'zSymbols' | 'xHat'> {
    const zHat = EntropyBottleneck.dequantize(zSymbols, medians);
    const scales = this.hyperSynthesis(zHat, condition, y.shape[1], y.shape[2]);
    const ySymbols = tf.round(y) as tf.Tensor4D;
    const zBits = this.zBitsOf(zHat, condition);
    const bits = tf.add(zBits, bitsOfLikelihood(gaussianLikelihood(ySymbols, scales))) as tf.Tensor1D;
    return { ySymbols, scales, bits, zBits };
  }

  /**
   * Inference at one λ for a whole batch, as the encoder runs it: z rounded around the medians of
   * the coding model, σ from ẑ, y rounded. The codec reproduces `xHat` exactly.
   */
  quantizedForward(x: tf.Tensor4D, lambda: number, coding: CodingModel = this.codingModel(lambda)): HyperpriorQuantizedOutput {
    return tf.tidy(() => {
      const encoded = this.encoderForward(x, lambda, coding);
      return { ...encoded, xHat: this.synthesis(encoded.ySymbols, this.conditionFor(Array(x.shape[0]).fill(lambda))) };
    });
  }

  /**
   * The encoder's half of `quantizedForward` (everything but the synthesis): what the two streams
   * need. The codec runs only this; the reconstruction a user sees is the decoder's.
   */
  encoderForward(x: tf.Tensor4D, lambda: number, coding: CodingModel = this.codingModel(lambda)): Omit<HyperpriorQuantizedOutput, 'xHat'> {
    return tf.tidy(() => {
      const condition = this.conditionFor(Array(x.shape[0]).fill(lambda));
      const y = this.analysis(x, condition);
      const medians = tf.tile(tf.tensor2d(coding.medians, [1, this.config.N]), [x.shape[0], 1]) as tf.Tensor2D;
      const zSymbols = EntropyBottleneck.quantize(this.hyperAnalysis(y, condition), medians);
      return { y, zSymbols, ...this.fromRounded(y, zSymbols, medians, condition) };
    });
  }

  /** Rounded forward pass with a λ per example, given as conditions (the trainer's evaluation loss). */
  evalForward(x: tf.Tensor4D, condition: tf.Tensor2D | null): { xHat: tf.Tensor4D; bits: tf.Tensor1D } {
    const b = x.shape[0];
    const medians = mediansAt(this.densityWeights(), this.lambda.knotPositionsOf(condition, b, this.bottleneck.knots));
    return tf.tidy(() => {
      const med = tf.tensor2d(medians, [b, this.config.N]);
      const y = this.analysis(x, condition);
      const out = this.fromRounded(y, EntropyBottleneck.quantize(this.hyperAnalysis(y, condition), med), med, condition);
      return { xHat: this.synthesis(out.ySymbols, condition), bits: out.bits };
    });
  }

  /** The decoder's first half: σ [1, h, w, M] from the hyper-latent symbols [1, ⌈h/4⌉, ⌈w/4⌉, N] at λ. */
  scalesFromSymbols(zSymbols: tf.Tensor4D, lambda: number, coding: CodingModel, height: number, width: number): tf.Tensor4D {
    return tf.tidy(() => {
      const medians = tf.tile(tf.tensor2d(coding.medians, [1, this.config.N]), [zSymbols.shape[0], 1]) as tf.Tensor2D;
      const condition = this.conditionFor(Array(zSymbols.shape[0]).fill(lambda));
      return this.hyperSynthesis(EntropyBottleneck.dequantize(zSymbols, medians), condition, height, width);
    });
  }

  /** The decoder's second half: the reconstruction from the latent symbols [1, h, w, M] at λ. */
  decodeSymbols(ySymbols: tf.Tensor4D, lambda: number): tf.Tensor4D {
    return tf.tidy(() => this.synthesis(ySymbols, this.conditionFor(Array(ySymbols.shape[0]).fill(lambda))));
  }

  dispose(): void {
    this.params.dispose();
    this.main.dispose();
  }
}
