/**
 * Shape of a conditional convolutional VAE. The encoder is a stack of 3×3 stride-2 convolutions
 * (each followed by FiLM on the encoded β, then ReLU) and a dense layer to the latent mean and
 * log-variance; the decoder mirrors it with transposed convolutions. The last decoder layer has no
 * FiLM: it produces Bernoulli logits, or Gaussian means with a fixed standard deviation.
 */
export interface VaeModelConfig {
  height: number;
  width: number;
  imageChannels: number;
  /** Output channels of the encoder's conv blocks; the decoder uses them in reverse. */
  channels: number[];
  latent: number;
  kernelSize: number;
  /** 'bernoulli' for binarized or gray images in [0, 1]; 'gaussian' for colour. */
  likelihood: 'bernoulli' | 'gaussian';
  /**
   * σ of the Gaussian likelihood. Fixed rather than learned: a learned σ rescales the reconstruction
   * term and so moves every model along the β trade-off by itself, which would blur the comparison.
   */
  gaussianSigma: number;
  /** Hidden units of the conditioning MLP. */
  conditioningHidden: number;
  /** m in FiLM scale = 1 + m·a(λ), shift = m·b(λ). */
  filmMultiplier: number;
  /** One hidden layer shared by all FiLM heads (true) or one per head as in the PyTorch reference. */
  sharedHidden: boolean;
  /**
   * Also FiLM the dense layers (YOTO only): the encoder's posterior statistics (mean, log-variance)
   * per latent unit, and the decoder's first dense layer per channel before its ReLU. These layers
   * set the KL most directly; conv-only FiLM leaves the optimal posterior width at each β to be
   * reached indirectly. Absent = false (the benchmark shape).
   */
  filmDense?: boolean;
}

/** The benchmark model of docs/benchmarks.md: 28×28×1, latent 16, conv 32 → 64, Bernoulli. */
export const BENCHMARK_VAE: Readonly<VaeModelConfig> = Object.freeze({
  height: 28,
  width: 28,
  imageChannels: 1,
  channels: [32, 64],
  latent: 16,
  kernelSize: 3,
  likelihood: 'bernoulli',
  gaussianSigma: 0.1,
  conditioningHidden: 64,
  filmMultiplier: 0.1,
  sharedHidden: true,
});

/** Validates a full config; errors name the field and what was expected. */
export function validateVaeConfig(c: VaeModelConfig): VaeModelConfig {
  const int = (v: unknown, key: string, min = 1): void => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new Error(`VAE config: ${key} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  };
  int(c.height, 'height');
  int(c.width, 'width');
  int(c.imageChannels, 'imageChannels');
  int(c.latent, 'latent');
  int(c.kernelSize, 'kernelSize');
  int(c.conditioningHidden, 'conditioningHidden');
  if (!Array.isArray(c.channels) || c.channels.length === 0) throw new Error(`VAE config: channels must be a non-empty array of conv widths, got ${JSON.stringify(c.channels)}`);
  c.channels.forEach((w, i) => int(w, `channels[${i}]`));
  const f = 2 ** c.channels.length;
  if (c.height % f !== 0 || c.width % f !== 0)
    throw new Error(`VAE config: ${c.channels.length} stride-2 blocks need height and width divisible by ${f}, got ${c.height}×${c.width}`);
  if (c.likelihood !== 'bernoulli' && c.likelihood !== 'gaussian')
    throw new Error(`VAE config: likelihood must be 'bernoulli' or 'gaussian', got ${JSON.stringify(c.likelihood)}`);
  if (typeof c.gaussianSigma !== 'number' || !(c.gaussianSigma > 0)) throw new Error(`VAE config: gaussianSigma must be > 0, got ${JSON.stringify(c.gaussianSigma)}`);
  if (typeof c.filmMultiplier !== 'number' || !Number.isFinite(c.filmMultiplier))
    throw new Error(`VAE config: filmMultiplier must be a finite number, got ${JSON.stringify(c.filmMultiplier)}`);
  if (c.filmDense !== undefined && typeof c.filmDense !== 'boolean')
    throw new Error(`VAE config: filmDense must be true or false, got ${JSON.stringify(c.filmDense)}`);
  if (typeof c.sharedHidden !== 'boolean') throw new Error(`VAE config: sharedHidden must be true or false, got ${JSON.stringify(c.sharedHidden)}`);
  return c;
}
