import * as tf from '@tensorflow/tfjs';
import type { Params } from '@yoto/core';
import { CONDITIONING_SCOPE, STEP_SCOPE } from './scopes.js';

/** A learned quantization step of the latents: y is rounded as y/Δ and decoded as ŷ·Δ. */
export interface QuantizationStep {
  /** Whether Δ depends on λ (then `steps` needs the range positions u). */
  readonly conditioned: boolean;
  /** Δ per example and channel, [B, 1, 1, channels] ([1, 1, 1, channels] for a fixed step), from range positions u [B, 1]. */
  steps(u: tf.Tensor2D | null): tf.Tensor4D;
  /** The step the synthesis multiplies ŷ by: Δ itself, or the decoder's own Δ' (config decoderStep 'own'); same shape. */
  decoderSteps(u: tf.Tensor2D | null): tf.Tensor4D;
}

/** Per-channel exp(mid + u·half) from a log-linear pair (values at u = −1 and u = +1), [B, 1, 1, channels]. */
function logLinear(low: tf.Tensor, high: tf.Tensor, u: tf.Tensor2D, channels: number): tf.Tensor4D {
  const mid = tf.div(tf.add(low, high), 2);
  const half = tf.div(tf.sub(high, low), 2);
  return tf.reshape(tf.exp(tf.add(mid, tf.mul(u, half))), [-1, 1, 1, channels]) as tf.Tensor4D;
}

/**
 * The λ-dependent quantization step (config quantizationStep 'lambda') of a conditioned model: a
 * learned step per latent channel whose log is linear in λ's range position u ∈ [−1, 1]. It is
 * initialised at Δ ∝ λ^(−½), the high-rate optimum of λ·D + R when D ≈ Δ²/12: log Δ = ±¼·ln(high/low)
 * at the ends, 0 (Δ = 1) at the geometric middle.
 */
export class LambdaStep implements QuantizationStep {
  readonly conditioned = true;
  private readonly low: tf.Variable;
  private readonly high: tf.Variable;
  /** log(Δ'/Δ) of the decoder's own step at u = −1 and +1 (config decoderStep 'own'; null: Δ' = Δ). */
  private readonly decoder: { low: tf.Variable; high: tf.Variable } | null;

  constructor(
    p: Params,
    readonly channels: number,
    lambdaRange: readonly [number, number],
    ownDecoderStep = false,
  ) {
    const quarter = Math.log(lambdaRange[1] / lambdaRange[0]) / 4;
    this.low = p.variable(`${CONDITIONING_SCOPE}log_step/low`, [channels], { kind: 'constant', value: quarter });
    this.high = p.variable(`${CONDITIONING_SCOPE}log_step/high`, [channels], { kind: 'constant', value: -quarter });
    // Created last and started at 0 (Δ' = Δ), so the model's other initial weights and its initial
    // function are those of a model without it. Stored as the offset from Δ: the decoder then starts
    // from, and by default follows, the encoder's step, and learns only where it should differ.
    this.decoder = ownDecoderStep
      ? {
          low: p.variable(`${CONDITIONING_SCOPE}decoder_log_step/low`, [channels], { kind: 'zeros' }),
          high: p.variable(`${CONDITIONING_SCOPE}decoder_log_step/high`, [channels], { kind: 'zeros' }),
        }
      : null;
  }

  steps(u: tf.Tensor2D | null): tf.Tensor4D {
    if (!u) throw new Error('quantization step: a λ-dependent step needs λ’s range position');
    return tf.tidy(() => logLinear(this.low, this.high, u, this.channels));
  }

  decoderSteps(u: tf.Tensor2D | null): tf.Tensor4D {
    if (!u) throw new Error('quantization step: a λ-dependent step needs λ’s range position');
    const d = this.decoder;
    if (!d) return this.steps(u);
    return tf.tidy(() => logLinear(tf.add(this.low, d.low), tf.add(this.high, d.high), u, this.channels));
  }
}

/**
 * A fixed-λ baseline's own learned step per channel (config quantizationStep 'lambda'), started at
 * the conditioned model's initial Δ at the baseline's λ: without it a baseline can move its operating
 * point only by rescaling the analysis weights at the base learning rate, and within a short budget
 * every baseline stays near the initial latent scale whatever its λ (research/baseline-lambda.ts).
 */
export class BaselineStep implements QuantizationStep {
  readonly conditioned = false;
  private readonly logStep: tf.Variable;

  constructor(
    p: Params,
    readonly channels: number,
    lambdaRange: readonly [number, number],
    lambda: number | undefined,
  ) {
    this.logStep = p.variable(`${STEP_SCOPE}log_step`, [channels], { kind: 'constant', value: initialLogStep(lambdaRange, lambda) });
  }

  steps(): tf.Tensor4D {
    return tf.tidy(() => tf.reshape(tf.exp(this.logStep), [1, 1, 1, this.channels]) as tf.Tensor4D);
  }

  /** The encoder's Δ: a fixed model's own decoder scale per channel would be absorbed by the synthesis' first layer. */
  decoderSteps(): tf.Tensor4D {
    return this.steps();
  }
}

/**
 * log Δ a baseline starts with: the conditioned model's initial −½·ln(λ/λ_mid) (λ_mid the geometric
 * middle of the range), so both models start from the same operating point at λ; 0 (Δ = 1) without a λ.
 */
export function initialLogStep(range: readonly [number, number], lambda: number | undefined): number {
  if (lambda === undefined) return 0;
  if (!(Number.isFinite(lambda) && lambda > 0)) throw new Error(`a baseline's λ must be a finite number > 0, got ${lambda}`);
  return -0.5 * Math.log(lambda / Math.sqrt(range[0] * range[1]));
}

/** The step a model's configuration asks for: λ-dependent for a conditioned model, its own for a baseline, none for 'unit'. */
export function quantizationStep(
  p: Params,
  options: { conditioned: boolean; stepped: boolean; ownDecoderStep?: boolean; channels: number; lambdaRange: readonly [number, number]; lambda?: number },
): QuantizationStep | null {
  if (!options.stepped) return null;
  return options.conditioned
    ? new LambdaStep(p, options.channels, options.lambdaRange, options.ownDecoderStep ?? false)
    : new BaselineStep(p, options.channels, options.lambdaRange, options.lambda);
}
