import * as tf from '@tensorflow/tfjs';
import { type CoefficientSpace, conditionalInstanceNorm, ConditioningNetwork, conv2d, type FilmParams, ParamStore, type TaskModel } from '@yoto/core';
import { CONDITIONING_INIT_OPTIONS } from './conditioning-init.js';
import { type StyleNetConfig, validateStyleNetConfig } from './config.js';

/** One normalised conv layer of the transformer: its name (the CIN's key) and output channels. */
interface NormLayer {
  name: string;
  channels: number;
}

/**
 * The stylization network (Johnson et al., with Dumoulin et al.'s conditional instance norm): a 9×9
 * conv, two stride-2 convs, residual blocks, two nearest-neighbour ×2 upsamplings each followed by a
 * 3×3 conv (resize-convolution, which leaves no checkerboard), and a 9×9 conv to RGB with a sigmoid.
 * Every conv is followed by an instance norm whose per-channel scale and shift a conditioning MLP
 * predicts from the condition tensor (YOTO), or, in a baseline, are plain learned parameters.
 * Pure tfjs: this runs unchanged in a browser.
 */
export interface StyleModel extends TaskModel {
  readonly config: Readonly<StyleNetConfig>;
  /** The CIN parameters of every layer for a batch of conditions; null for a baseline. */
  norms(condition: tf.Tensor2D | null): Record<string, FilmParams> | null;
  /** x ∈ [0, 1]^[b, h, w, 3] (h, w multiples of 4) → the stylized image in [0, 1], same shape. */
  stylize(x: tf.Tensor4D, norms: Record<string, FilmParams> | null): tf.Tensor4D;
  dispose(): void;
}

export interface StyleModelOptions {
  conditioned: boolean;
  /** The space the model is built for; the model reads only its conditionDim (the condition's width). */
  space: CoefficientSpace;
  seed: number;
}

export function buildStyleModel(config: StyleNetConfig, o: StyleModelOptions): StyleModel {
  const c = validateStyleNetConfig(config);
  const params = new ParamStore(o.seed);
  const [w0, w1, w2] = c.widths;
  const layers: NormLayer[] = [];
  // Conv biases are dropped: the instance norm that follows removes them.
  const convLayer = (name: string, cin: number, cout: number, k: number, strides = 1) => {
    layers.push({ name, channels: cout });
    return conv2d(params, `transformer/${name}`, cin, { filters: cout, kernelSize: k, strides, useBias: false });
  };
  const down = [convLayer('down0', 3, w0, 9), convLayer('down1', w0, w1, 3, 2), convLayer('down2', w1, w2, 3, 2)];
  const res = Array.from({ length: c.residualBlocks }, (_, i) => [convLayer(`res${i}a`, w2, w2, 3), convLayer(`res${i}b`, w2, w2, 3)]);
  const up = [convLayer('up0', w2, w1, 3), convLayer('up1', w1, w0, 3)];
  const out = convLayer('out', w0, 3, 9);

  const conditioning = o.conditioned
    ? new ConditioningNetwork(params, {
        inputDim: o.space.conditionDim,
        layers,
        hidden: c.conditioningHidden,
        linear: c.conditioningLinear,
        sharedHidden: c.conditioningShared,
        leakyAlpha: c.conditioningSlope,
        ...CONDITIONING_INIT_OPTIONS[c.conditioningInit ?? 'zeros'],
      })
    : null;
  // A baseline's instance norms have their own scale and shift, as the conditioned heads' biases are.
  const fixed = o.conditioned
    ? null
    : Object.fromEntries(
        layers.map((l) => [
          l.name,
          { scale: params.variable(`transformer/${l.name}/norm_scale`, [1, l.channels], { kind: 'ones' }), shift: params.variable(`transformer/${l.name}/norm_shift`, [1, l.channels], { kind: 'zeros' }) },
        ]),
      );

  const norm = (x: tf.Tensor4D, name: string, norms: Record<string, FilmParams> | null): tf.Tensor4D => {
    const p = norms ? norms[name] : (fixed![name] as unknown as FilmParams);
    if (!p) throw new Error(`style network: no instance-norm parameters for layer '${name}'`);
    return conditionalInstanceNorm(x, p);
  };

  return {
    params,
    conditioned: o.conditioned,
    space: o.space,
    config: Object.freeze(c),
    norms(condition) {
      if (!conditioning) {
        if (condition) throw new Error('style network: a baseline model takes no condition');
        return null;
      }
      if (!condition) throw new Error('style network: a conditioned model needs the condition tensor');
      return conditioning.apply(condition);
    },
    stylize(x, norms) {
      if (x.rank !== 4 || x.shape[3] !== 3 || x.shape[1] % 4 !== 0 || x.shape[2] % 4 !== 0)
        throw new Error(`style network: input must be [batch, height, width, 3] with height and width multiples of 4, got [${x.shape.join(', ')}]`);
      if (!!norms !== !!conditioning) throw new Error(`style network: ${conditioning ? 'a conditioned model needs' : 'a baseline takes no'} CIN parameters`);
      return tf.tidy(() => {
        const block = (h: tf.Tensor4D, f: (t: tf.Tensor4D) => tf.Tensor4D, name: string): tf.Tensor4D => tf.relu(norm(f(h), name, norms));
        let h = tf.sub(x, 0.5) as tf.Tensor4D;
        h = block(h, down[0], 'down0');
        h = block(h, down[1], 'down1');
        h = block(h, down[2], 'down2');
        res.forEach(([a, b], i) => {
          const r = norm(b(block(h, a, `res${i}a`)), `res${i}b`, norms);
          h = tf.add(h, r);
        });
        h = block(upsample2(h), up[0], 'up0');
        h = block(upsample2(h), up[1], 'up1');
        return tf.sigmoid(norm(out(h), 'out', norms));
      });
    },
    dispose() {
      params.dispose();
    },
  };
}

/**
 * Nearest-neighbour ×2 upsampling as a broadcast: [b, h, 1, w, 1, c] + zeros[1, 1, 2, 1, 2, 1]. Its
 * gradient is a sum reduction, which every backend has (unlike ResizeNearestNeighborGrad).
 */
export function upsample2(x: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  return tf.tidy(() => tf.reshape(tf.add(tf.reshape(x, [b, h, 1, w, 1, c]), tf.zeros([1, 1, 2, 1, 2, 1])), [b, 2 * h, 2 * w, c]) as tf.Tensor4D);
}
