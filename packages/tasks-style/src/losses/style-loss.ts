import * as tf from '@tensorflow/tfjs';
import type { LossNetwork } from '../loss-network/network.js';
import { STYLE_TERMS, type StyleTerm } from '../space.js';
import { gram, softmaxFeatures } from './gram.js';
import { featureDistance, gramDistance } from './terms.js';

export interface StyleLossOptions {
  /** Softmax-transform style features before the Gram matrices (Wang et al., CVPR 2021). */
  softmax: boolean;
  temperature: number;
}

/**
 * The five per-example terms for one painting: content = feature distance at the content layer
 * between the output and the photo; style k = Gram distance at style layer k between the output and
 * the painting. Each is divided by a fixed normaliser, its mean over calibration photos when the
 * output is replaced by the photo itself (style) or by the painting (content), so the five
 * coefficients act on comparable scales.
 *
 * Fixed normalisers stand in for the paper's running averages: a running average would make the
 * loss depend on training history, so a resumed run and an evaluation would see a different loss
 * than the uninterrupted run did, and a baseline's terms would be scaled differently from the YOTO
 * model's. These are a pure function of (painting, photos, network).
 */
export class StyleLoss {
  private constructor(
    private readonly net: LossNetwork,
    private readonly contentLayer: string,
    private readonly styleLayers: readonly string[],
    private readonly targets: tf.Tensor3D[],
    readonly normalisers: Readonly<Record<StyleTerm, number>>,
    readonly options: StyleLossOptions,
  ) {}

  /** Takes ownership of `net`; `painting` is [1, h, w, 3], `calibration` [n, s, s, 3], both in [0, 1]. */
  static create(net: LossNetwork, layers: { content: string; style: readonly string[] }, painting: tf.Tensor4D, calibration: tf.Tensor4D, options: StyleLossOptions): StyleLoss {
    if (layers.style.length !== 4) throw new Error(`style loss: four style layers are needed, got ${layers.style.length}`);
    const targets = tf.tidy(() => {
      const f = net.features(painting, layers.style);
      return layers.style.map((l) => tf.keep(gram(options.softmax ? softmaxFeatures(f[l], options.temperature) : f[l])));
    });
    const unit = Object.fromEntries(STYLE_TERMS.map((t) => [t, 1])) as Record<StyleTerm, number>;
    const raw = new StyleLoss(net, layers.content, layers.style, targets, unit, options);
    const means = tf.tidy(() => {
      const [n, h, w] = calibration.shape;
      const resized = tf.image.resizeBilinear(painting, [h, w], true);
      const t = raw.terms(calibration, tf.tile(resized, [n, 1, 1, 1]) as tf.Tensor4D);
      return tf.stack(STYLE_TERMS.map((k) => tf.mean(t[k])));
    });
    const v = means.dataSync();
    means.dispose();
    const normalisers = {} as Record<StyleTerm, number>;
    STYLE_TERMS.forEach((t, i) => {
      if (!(v[i] > 0 && Number.isFinite(v[i]))) {
        tf.dispose(targets);
        throw new Error(`style loss: the ${t} term's normaliser is ${v[i]} on the calibration photos (features at '${t === 'content' ? layers.content : layers.style[i - 1]}' of ${net.source} are constant?)`);
      }
      normalisers[t] = v[i];
    });
    return new StyleLoss(net, layers.content, layers.style, targets, Object.freeze(normalisers), options);
  }

  /** Normalised per-example terms of outputs y against photos x (both [b, h, w, 3] in [0, 1]). */
  terms(y: tf.Tensor4D, x: tf.Tensor4D): Record<StyleTerm, tf.Tensor1D> {
    return tf.tidy(() => {
      const fy = this.net.features(y, [this.contentLayer, ...this.styleLayers]);
      const fx = this.net.features(x, [this.contentLayer]);
      const out = { content: tf.div(featureDistance(fy[this.contentLayer], fx[this.contentLayer]), this.normalisers.content) } as Record<StyleTerm, tf.Tensor1D>;
      this.styleLayers.forEach((l, i) => {
        const f = this.options.softmax ? softmaxFeatures(fy[l], this.options.temperature) : fy[l];
        const term = STYLE_TERMS[i + 1];
        out[term] = tf.div(gramDistance(gram(f), this.targets[i]), this.normalisers[term]) as tf.Tensor1D;
      });
      return out as unknown as tf.TensorContainer;
    }) as unknown as Record<StyleTerm, tf.Tensor1D>;
  }

  dispose(): void {
    tf.dispose(this.targets);
    this.net.dispose();
  }
}
