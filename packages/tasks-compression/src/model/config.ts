/**
 * Configuration of the factorized-prior model. It is stored with checkpoints and hashed into the
 * bitstream fingerprint, so it holds plain JSON values only.
 */
export interface FactorizedPriorConfig {
  /** Channels of the hidden layers of both transforms. */
  N: number;
  /** Latent channels (coded by the entropy bottleneck). */
  M: number;
  /** Hidden widths of the per-channel density. */
  filters: number[];
  /**
   * Knots of the λ-conditioned entropy model (0: one density for every λ). Used only by conditioned
   * models; a fixed-λ baseline always has a λ-independent density.
   */
  densityKnots: number;
  /** Hidden units of the conditioning MLP. */
  conditioningHidden: number;
  /**
   * FiLM multiplier m in (1 + m·a, m·b) (core ConditioningNetwork; 0.1 when absent). It sets how fast
   * the conditioning moves relative to the backbone. Left out of the defaults so the configuration,
   * and with it the bitstream fingerprint, of models that never set it stays what it was.
   */
  filmMultiplier?: number;
  /**
   * How the conditioning MLP's weights start (absent: 'glorot', what every model before this option
   * trained with): 'glorot' (Glorot-uniform hidden layer and heads), 'heHidden' (the hidden layer
   * He-normal, variance 2/fan-in: with the one-dimensional condition √(1 + hidden) times the Glorot
   * spread, ≈ 8× for 64 hidden units, so a head's step moves the λ-dependent part of FiLM about that
   * much further; heads as 'glorot'), 'reference' (hidden layer and heads He-normal, as the
   * google-research YOTO code's conditioning MLP, VarianceScaling(2.0): core's REFERENCE_CONDITIONING;
   * its multiplier is filmMultiplier's default 0.1). Only the conditioning's initial values differ:
   * every other weight starts as without it.
   */
  conditioningInit?: ConditioningInit;
  /**
   * Quantization step of the latents: 'unit' (absent; round y) or 'lambda' (a conditioned model
   * rounds y/Δ(λ) and decodes ŷ·Δ(λ), with a learned step per latent channel whose log is linear in
   * log λ, initialised at Δ ∝ λ^(−½), the high-rate optimum of λ·D + R when D ≈ Δ²/12). It gives the
   * rate a direct handle on λ instead of one the FiLM network has to discover. A fixed-λ baseline
   * with 'lambda' learns one step per channel, started at the conditioned model's Δ at its λ.
   */
  quantizationStep?: 'unit' | 'lambda';
  /**
   * The step the synthesis multiplies ŷ by: 'encoder' (absent; the analysis' Δ(λ)) or 'own' (a
   * conditioned model's decoder learns its own per-channel Δ'(λ), log-linear in λ like Δ and started
   * equal to it: Cui et al. 2021's asymmetric inverse gain). FiLM follows the synthesis' first
   * convolution, so it can rescale that layer's outputs but not its input channels; Δ'(λ) can, per λ.
   * Needs quantizationStep 'lambda'. A fixed-λ baseline ignores it: its decoder's own scale per
   * channel is a constant that the synthesis' first layer already absorbs.
   */
  decoderStep?: 'encoder' | 'own';
  /**
   * What the synthesis sees in training: 'noise' (absent; ỹ = y + U(−½, ½), as the rate term) or
   * 'mixed' (Minnen & Singh 2020: the rate term keeps the noise, the synthesis gets the rounded
   * latents round(y − m) + m with a straight-through gradient, so it trains on what it decodes).
   */
  trainingQuantization?: 'noise' | 'mixed';
  /**
   * The colour space the analysis reads: 'rgb' (absent; pixels in [0, 1]) or 'whitened' (centred and
   * decorrelated by the training pixels' colour statistics, model/colour.ts; the synthesis' output
   * centred on their mean): the same models, but short runs code all three colour dimensions.
   */
  colourTransform?: 'rgb' | 'whitened';
}

export const CONDITIONING_INITS = ['glorot', 'heHidden', 'reference'] as const;
export type ConditioningInit = (typeof CONDITIONING_INITS)[number];

export const DEFAULT_CONFIG: FactorizedPriorConfig = { N: 128, M: 192, filters: [3, 3, 3], densityKnots: 8, conditioningHidden: 64 };

/** The benchmark shape (../shared/docs/benchmarks.md). */
export const BENCHMARK_CONFIG: FactorizedPriorConfig = { ...DEFAULT_CONFIG, N: 64, M: 96 };

/** The transform downsamples by 2 four times: images are padded to a multiple of this. */
export const STRIDE = 16;

/** Options outside DEFAULT_CONFIG: absent from the resolved configuration unless set. */
const OPTIONAL_KEYS = ['filmMultiplier', 'conditioningInit', 'quantizationStep', 'decoderStep', 'trainingQuantization', 'colourTransform'];

/**
 * Options that existed once and were removed, with what replaced them: a configuration (or a
 * checkpoint's stored one) that still sets them is refused by name instead of building a different model.
 */
const REMOVED_KEYS: Record<string, string> = {
  conditioningInput:
    "it was removed when the coefficient space took over λ's encoding: a range-mapped input is now the space's encoding { distortion: 'range' } (a checkpoint that sets it was written by an older version and must be retrained)",
};

/** Checks and completes a configuration; `what` names the model in errors (the scale hyperprior uses the same keys). */
export function resolveConfig(partial: Partial<FactorizedPriorConfig> = {}, what = 'factorized-prior config'): FactorizedPriorConfig {
  for (const key of Object.keys(partial)) {
    if (key in REMOVED_KEYS) throw new Error(`${what}: option '${key}': ${REMOVED_KEYS[key]}`);
    if (!(key in DEFAULT_CONFIG) && !OPTIONAL_KEYS.includes(key)) throw new Error(`${what}: unknown option '${key}' (known: ${[...Object.keys(DEFAULT_CONFIG), ...OPTIONAL_KEYS].join(', ')})`);
  }
  const c: FactorizedPriorConfig = { ...DEFAULT_CONFIG, ...partial, filters: [...(partial.filters ?? DEFAULT_CONFIG.filters)] };
  const int = (v: unknown, key: string, min: number): void => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new Error(`${what}: ${key} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  };
  int(c.N, 'N', 1);
  int(c.M, 'M', 1);
  int(c.conditioningHidden, 'conditioningHidden', 1);
  int(c.densityKnots, 'densityKnots', 0);
  if (c.densityKnots === 1) throw new Error(`${what}: densityKnots must be 0 or ≥ 2, got 1`);
  if (!Array.isArray(c.filters) || c.filters.length === 0) throw new Error(`${what}: filters must be a non-empty array`);
  c.filters.forEach((f, i) => int(f, `filters[${i}]`, 1));
  if (c.filmMultiplier !== undefined && !(typeof c.filmMultiplier === 'number' && Number.isFinite(c.filmMultiplier) && c.filmMultiplier > 0))
    throw new Error(`${what}: filmMultiplier must be a finite number > 0, got ${JSON.stringify(c.filmMultiplier)}`);
  if (c.conditioningInit !== undefined && !CONDITIONING_INITS.includes(c.conditioningInit))
    throw new Error(`${what}: conditioningInit must be ${CONDITIONING_INITS.map((i) => `'${i}'`).join(', ')}, got ${JSON.stringify(c.conditioningInit)}`);
  if (c.quantizationStep !== undefined && c.quantizationStep !== 'unit' && c.quantizationStep !== 'lambda')
    throw new Error(`${what}: quantizationStep must be 'unit' or 'lambda', got ${JSON.stringify(c.quantizationStep)}`);
  if (c.decoderStep !== undefined && c.decoderStep !== 'encoder' && c.decoderStep !== 'own')
    throw new Error(`${what}: decoderStep must be 'encoder' or 'own', got ${JSON.stringify(c.decoderStep)}`);
  if (c.decoderStep === 'own' && c.quantizationStep !== 'lambda')
    throw new Error(`${what}: decoderStep 'own' needs quantizationStep 'lambda' (a decoder step is learned beside the encoder's), got quantizationStep ${JSON.stringify(c.quantizationStep ?? 'unit')}`);
  if (c.trainingQuantization !== undefined && c.trainingQuantization !== 'noise' && c.trainingQuantization !== 'mixed')
    throw new Error(`${what}: trainingQuantization must be 'noise' or 'mixed', got ${JSON.stringify(c.trainingQuantization)}`);
  if (c.colourTransform !== undefined && c.colourTransform !== 'rgb' && c.colourTransform !== 'whitened')
    throw new Error(`${what}: colourTransform must be 'rgb' or 'whitened', got ${JSON.stringify(c.colourTransform)}`);
  return c;
}
