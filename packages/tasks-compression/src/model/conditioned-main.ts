import * as tf from '@tensorflow/tfjs';
import type { ConditioningNetwork, FilmParams } from '@yoto/core';
import type { LambdaInput } from './lambda-input.js';
import type { QuantizationStep } from './lambda-step.js';
import type { MainTransforms } from './main-transforms.js';

/**
 * The main transforms as a λ-conditioned model runs them: FiLM parameters from the condition, and
 * y ÷ Δ after the analysis, ŷ · Δ before the synthesis when the model has a learned step (Δ(λ) for
 * a conditioned model, a baseline's own Δ). The
 * models create the parts (in their own variable order) and share this arithmetic.
 */
export class ConditionedMain {
  constructor(
    private readonly what: string,
    private readonly lambda: LambdaInput,
    private readonly transforms: MainTransforms,
    private readonly conditioning: ConditioningNetwork | null,
    private readonly step: QuantizationStep | null,
  ) {}

  /** FiLM parameters of every conditioned layer (null for a baseline). */
  films(condition: tf.Tensor2D | null): Record<string, FilmParams> | null {
    if (!this.conditioning) return null;
    if (!condition) throw new Error(`${this.what}: this model is λ-conditioned; a condition is required`);
    return this.conditioning.apply(condition);
  }

  /** Quantization step Δ(λ) per example and channel, [B, 1, 1, M] ([1, 1, 1, M] for a baseline); null when the step is 1. */
  quantizationSteps(condition: tf.Tensor2D | null): tf.Tensor4D | null {
    return this.step ? this.step.steps(this.stepPositions(this.step, condition)) : null;
  }

  /** The step the synthesis multiplies ŷ by: Δ, or the decoder's own Δ'(λ) (config decoderStep 'own'); null when the step is 1. */
  decoderSteps(condition: tf.Tensor2D | null): tf.Tensor4D | null {
    return this.step ? this.step.decoderSteps(this.stepPositions(this.step, condition)) : null;
  }

  /** What a step reads: λ's range positions for a λ-dependent step, null for a baseline's fixed one. */
  private stepPositions(step: QuantizationStep, condition: tf.Tensor2D | null): tf.Tensor2D | null {
    if (!step.conditioned) return null;
    if (!condition) throw new Error(`${this.what}: this model is λ-conditioned; a condition is required`);
    return this.lambda.rangePositions(condition);
  }

  /** y = g_a(x) (÷ Δ(λ) when stepped). */
  analysis(x: tf.Tensor4D, condition: tf.Tensor2D | null): tf.Tensor4D {
    return tf.tidy(() => {
      if (x.shape[3] !== 3) throw new Error(`${this.what}: the input must have 3 channels, got [${x.shape.join(', ')}]`);
      const h = this.transforms.analysis(x, this.films(condition));
      const step = this.quantizationSteps(condition);
      return step ? (tf.div(h, step) as tf.Tensor4D) : h;
    });
  }

  /** x̂ = g_s(ŷ · Δ(λ)) (Δ'(λ), the decoder's own, with decoderStep 'own'). */
  synthesis(yHat: tf.Tensor4D, condition: tf.Tensor2D | null): tf.Tensor4D {
    return tf.tidy(() => {
      const films = this.films(condition);
      const step = this.decoderSteps(condition);
      return this.transforms.synthesis(step ? (tf.mul(yHat, step) as tf.Tensor4D) : yHat, films);
    });
  }

  /** Frees what the transforms own beside the model's variables. */
  dispose(): void {
    this.transforms.dispose();
  }
}
