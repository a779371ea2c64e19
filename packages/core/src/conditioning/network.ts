import * as tf from '@tensorflow/tfjs';
import type { Initializer, Params } from '../nn/params.js';
import type { FilmParams } from './film.js';

/** How a dense layer's kernel starts: Glorot-uniform, zeros, or He-normal (variance 2/fan-in). */
export type KernelInit = 'glorot' | 'zeros' | 'he';
const HEAD_INITS: readonly KernelInit[] = ['glorot', 'zeros', 'he'];
const HIDDEN_INITS: readonly KernelInit[] = ['glorot', 'he'];

/**
 * How a conditioning network starts, layer by layer (ConditioningNetworkOptions' fields). A task names
 * its own presets of these as a task option (its names are part of its runs' identities), each a
 * choice per layer, over its own default.
 */
export interface ConditioningInitializers {
  hiddenInit: Exclude<KernelInit, 'zeros'>;
  headInit: KernelInit;
}

/**
 * m in scale = 1 + m·a(λ), shift = m·b(λ): 0.1 as in the google-research YOTO code and the benchmark
 * models (docs/benchmarks.md: scale `1 + 0.1·a`, shift `0.1·b`). Small, so that the modulation starts
 * near the identity whatever the heads' initialisation and a step of the conditioning network moves it
 * only a little. The one owner of the value: the network's default and REFERENCE_CONDITIONING read it.
 */
const FILM_MULTIPLIER = 0.1;

/**
 * The google-research YOTO code's conditioning (utils.mlp and ConditioningPostprocessing): hidden
 * layer and heads He-normal (VarianceScaling(2.0)), multiplier 0.1, so every modulated parameter
 * depends on λ from the first step.
 */
export const REFERENCE_CONDITIONING: Readonly<ConditioningInitializers & { multiplier: number }> = { hiddenInit: 'he', headInit: 'he', multiplier: FILM_MULTIPLIER };

/** A layer whose channels the conditioning network modulates. */
export interface ConditionedLayerSpec {
  name: string;
  channels: number;
}

export interface ConditioningNetworkOptions {
  /** Width of the encoded λ (the coefficient space's conditionDim). */
  inputDim: number;
  layers: ConditionedLayerSpec[];
  /** Hidden units (default 64). */
  hidden?: number;
  /** m in scale = 1 + m·a(λ), shift = m·b(λ) (default 0.1): keeps the modulation near identity at start. */
  multiplier?: number;
  /** Variable-name prefix (default 'conditioning'). */
  name?: string;
  /** Negative slope of the leaky ReLU (default 0.01, PyTorch's default, as in the reference models). */
  leakyAlpha?: number;
  /**
   * Initialisation of the scale/shift heads (default 'glorot'; 'zeros' makes the network exactly the
   * identity at start; 'he': normal with variance 2/fan-in, the VarianceScaling(2.0) of the
   * google-research YOTO reference's conditioning MLPs).
   */
  headInit?: ConditioningInitializers['headInit'];
  /** Initialisation of the hidden layer(s) (default 'glorot'; 'he' as for headInit). */
  hiddenInit?: ConditioningInitializers['hiddenInit'];
  /**
   * One hidden layer shared by every head (default true), or one hidden layer per head, as in the
   * PyTorch reference's FiLM modules (`false`).
   */
  sharedHidden?: boolean;
  /**
   * Add a linear path from the condition straight to every head (default false): a(λ) = W·c + V·h(c)
   * + b, with W zero at start. With a centred condition (a range encoding) W's gradient is how the
   * loss's wish for each scale and shift changes with λ, free of the λ-independent part that the
   * hidden units (leaky ReLUs, mostly ≥ 0) mix into theirs; the CIN parameters can then follow λ as
   * Dumoulin et al.'s interpolated per-style parameters do.
   */
  linear?: boolean;
}

interface Dense {
  w: tf.Variable;
  b: tf.Variable;
}

/**
 * Maps the encoded λ to the FiLM / CIN parameters of every conditioned layer: one hidden layer with a
 * leaky ReLU, then separate linear heads for the scale and the shift of each layer (optionally also
 * reading the condition directly, `linear`).
 */
export class ConditioningNetwork {
  readonly inputDim: number;
  readonly layers: readonly ConditionedLayerSpec[];
  readonly multiplier: number;
  private readonly alpha: number;
  private readonly shared: Dense | null;
  private readonly heads: {
    name: string;
    scale: Dense;
    shift: Dense;
    scaleHidden: Dense | null;
    shiftHidden: Dense | null;
    scaleLinear: tf.Variable | null;
    shiftLinear: tf.Variable | null;
  }[];

  constructor(params: Params, options: ConditioningNetworkOptions) {
    const { inputDim, layers } = options;
    const hidden = options.hidden ?? 64;
    const prefix = options.name ?? 'conditioning';
    this.multiplier = options.multiplier ?? FILM_MULTIPLIER;
    this.alpha = options.leakyAlpha ?? 0.01;
    const headInit = options.headInit ?? 'glorot';
    const hiddenInit = options.hiddenInit ?? 'glorot';
    if (!HEAD_INITS.includes(headInit)) throw new Error(`ConditioningNetwork '${prefix}': headInit must be 'glorot', 'zeros' or 'he', got '${String(headInit)}'`);
    if (!HIDDEN_INITS.includes(hiddenInit)) throw new Error(`ConditioningNetwork '${prefix}': hiddenInit must be 'glorot' or 'he', got '${String(hiddenInit)}'`);
    if (!Number.isInteger(inputDim) || inputDim < 1)
      throw new Error(`ConditioningNetwork '${prefix}': inputDim must be an integer ≥ 1 (the space's conditionDim), got ${inputDim}`);
    if (!Number.isInteger(hidden) || hidden < 1) throw new Error(`ConditioningNetwork '${prefix}': hidden must be an integer ≥ 1, got ${hidden}`);
    if (!Number.isFinite(this.multiplier)) throw new Error(`ConditioningNetwork '${prefix}': multiplier must be finite, got ${this.multiplier}`);
    if (!Array.isArray(layers) || layers.length === 0) throw new Error(`ConditioningNetwork '${prefix}': layers must be a non-empty array`);
    layers.forEach((l, i) => {
      if (typeof l.name !== 'string' || l.name === '') throw new Error(`ConditioningNetwork '${prefix}': layers[${i}].name must be a non-empty string`);
      if (layers.findIndex((o) => o.name === l.name) !== i) throw new Error(`ConditioningNetwork '${prefix}': layer '${l.name}' is listed twice`);
      if (!Number.isInteger(l.channels) || l.channels < 1)
        throw new Error(`ConditioningNetwork '${prefix}': layer '${l.name}' channels must be an integer ≥ 1, got ${l.channels}`);
    });
    this.inputDim = inputDim;
    this.layers = layers.map((l) => ({ ...l }));

    const kernelInit = (init: KernelInit, nIn: number, nOut: number): Initializer =>
      init === 'zeros' ? { kind: 'zeros' } : init === 'he' ? { kind: 'heNormal', fanIn: nIn } : { kind: 'glorotUniform', fanIn: nIn, fanOut: nOut };
    const dense = (name: string, nIn: number, nOut: number, init: KernelInit): Dense => ({
      w: params.variable(`${name}/kernel`, [nIn, nOut], kernelInit(init, nIn, nOut)),
      b: params.variable(`${name}/bias`, [nOut], { kind: 'zeros' }),
    });
    const sharedHidden = options.sharedHidden ?? true;
    const linear = options.linear ?? false;
    const linearPath = (name: string, nOut: number): tf.Variable | null => (linear ? params.variable(`${name}/linear`, [inputDim, nOut], { kind: 'zeros' }) : null);
    this.shared = sharedHidden ? dense(`${prefix}/hidden`, inputDim, hidden, hiddenInit) : null;
    this.heads = layers.map((l) => {
      const scaleHidden = sharedHidden ? null : dense(`${prefix}/${l.name}/scale_hidden`, inputDim, hidden, hiddenInit);
      const scale = dense(`${prefix}/${l.name}/scale`, hidden, l.channels, headInit);
      const shiftHidden = sharedHidden ? null : dense(`${prefix}/${l.name}/shift_hidden`, inputDim, hidden, hiddenInit);
      const shift = dense(`${prefix}/${l.name}/shift`, hidden, l.channels, headInit);
      const scaleLinear = linearPath(`${prefix}/${l.name}/scale`, l.channels);
      const shiftLinear = linearPath(`${prefix}/${l.name}/shift`, l.channels);
      return { name: l.name, scale, shift, scaleHidden, shiftHidden, scaleLinear, shiftLinear };
    });
  }

  /** FilmParams of every conditioned layer, keyed by layer name; condition is [batch, inputDim]. */
  apply(condition: tf.Tensor2D): Record<string, FilmParams> {
    if (condition.rank !== 2 || condition.shape[1] !== this.inputDim)
      throw new Error(`ConditioningNetwork: condition must be [batch, ${this.inputDim}], got [${condition.shape.join(', ')}]`);
    return tf.tidy(() => {
      const m = this.multiplier;
      const hiddenOf = (d: Dense): tf.Tensor2D => tf.leakyRelu(affine(condition, d), this.alpha);
      const h = this.shared ? hiddenOf(this.shared) : null;
      const out: Record<string, FilmParams> = {};
      for (const head of this.heads) {
        const hs = h ?? hiddenOf(head.scaleHidden!);
        const hb = h ?? hiddenOf(head.shiftHidden!);
        const withLinear = (a: tf.Tensor2D, w: tf.Variable | null): tf.Tensor2D => (w ? (tf.add(a, tf.matMul(condition, w as tf.Tensor2D)) as tf.Tensor2D) : a);
        out[head.name] = {
          scale: tf.add(tf.mul(withLinear(affine(hs, head.scale), head.scaleLinear), m), 1) as tf.Tensor2D,
          shift: tf.mul(withLinear(affine(hb, head.shift), head.shiftLinear), m) as tf.Tensor2D,
        };
      }
      return out as unknown as tf.TensorContainer;
    }) as unknown as Record<string, FilmParams>;
  }
}

function affine(x: tf.Tensor2D, d: Dense): tf.Tensor2D {
  return tf.add(tf.matMul(x, d.w as tf.Tensor2D), d.b) as tf.Tensor2D;
}
