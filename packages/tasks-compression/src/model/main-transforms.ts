import * as tf from '@tensorflow/tfjs';
import { type ConditionedLayerSpec, conv2d, conv2dTranspose, film, type FilmParams, type Layer, type Params } from '@yoto/core';
import { gdn } from '../layers/gdn.js';
import { ColourWhitening } from './colour.js';

/** FiLM on x when the model is conditioned (`films` holds the layer), x itself otherwise. */
export function modulate(x: tf.Tensor4D, films: Record<string, FilmParams> | null, name: string): tf.Tensor4D {
  return films ? (film(x, films[name]) as tf.Tensor4D) : x;
}

/**
 * The main transforms of Ballé et al.'s image codecs in CompressAI's layout, shared by the
 * factorized-prior and the scale-hyperprior models (same parameter names in both):
 *
 *   analysis  g_a: conv5×5/2 3→N, FiLM, GDN; conv N→N, FiLM, GDN; conv N→N, FiLM, GDN; conv N→M, FiLM
 *   synthesis g_s: deconv5×5/2 M→N, FiLM, IGDN; deconv N→N, FiLM, IGDN; deconv N→N, FiLM, IGDN; deconv N→3
 *
 * FiLM follows every convolution except the last synthesis one: that layer outputs the image, and a
 * λ-dependent per-colour affine map of the pixels is not a useful degree of freedom (the PyTorch
 * reference in ../shared/anchors makes the same choice). FiLM on the last analysis conv is kept:
 * it lets the encoder rescale the latents per λ, which is how the rate moves with λ.
 */
export class MainTransforms {
  private readonly analysisConvs: Layer<tf.Tensor4D, tf.Tensor4D>[] = [];
  private readonly analysisGdn: Layer<tf.Tensor4D, tf.Tensor4D>[] = [];
  private readonly synthesisConvs: Layer<tf.Tensor4D, tf.Tensor4D>[] = [];
  private readonly synthesisGdn: Layer<tf.Tensor4D, tf.Tensor4D>[] = [];
  /** The fixed colour maps around the transforms (null: raw RGB). */
  private readonly colour: ColourWhitening | null;

  /**
   * Defines g_a's then g_s's variables, in this order (a seeded model's initial weights depend on it).
   * `whitened`: the analysis sees whitened colour components and the synthesis' output is centred on the mean colour (colour.ts).
   */
  constructor(
    p: Params,
    N: number,
    M: number,
    whitened = false,
  ) {
    this.colour = whitened ? new ColourWhitening() : null;
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
  }

  /** The FiLM-modulated layers (names and channels) for the conditioning network. */
  static filmLayers(N: number, M: number): ConditionedLayerSpec[] {
    return [...[N, N, N, M].map((channels, i) => ({ name: `g_a${i}`, channels })), ...[N, N, N].map((channels, i) => ({ name: `g_s${i}`, channels }))];
  }

  /** y = g_a(x), [B, H/16, W/16, M]. */
  analysis(x: tf.Tensor4D, films: Record<string, FilmParams> | null): tf.Tensor4D {
    return tf.tidy(() => {
      let h = this.colour ? this.colour.whiten(x) : x;
      for (let i = 0; i < 4; i++) {
        h = modulate(this.analysisConvs[i](h), films, `g_a${i}`);
        if (i < 3) h = this.analysisGdn[i](h);
      }
      return h;
    });
  }

  /** x̂ = g_s(ŷ), unclipped, [B, 16h, 16w, 3]. */
  synthesis(yHat: tf.Tensor4D, films: Record<string, FilmParams> | null): tf.Tensor4D {
    return tf.tidy(() => {
      let h = yHat;
      for (let i = 0; i < 4; i++) {
        h = this.synthesisConvs[i](h);
        if (i < 3) h = this.synthesisGdn[i](modulate(h, films, `g_s${i}`));
      }
      return this.colour ? this.colour.centre(h) : h;
    });
  }

  /** Frees the fixed colour tensors (the layers' variables belong to the model's ParamStore). */
  dispose(): void {
    this.colour?.dispose();
  }
}
