import * as tf from '@tensorflow/tfjs';
import { convGeometry, crop, padOrCrop, type ConvGeometry, type DepthwiseAttrs, type PadAttr } from '../support/conv_geometry.js';
import { flipSpatial, forEachSubpixelTap } from '../support/filter_transforms.js';
import { opKernel } from '../support/op_kernel.js';

/*
 * Gradients of depthwiseConv2d (NHWC; filter [fh,fw,Ci,M], output channel i·M + m) built from
 * ops the backends run natively. Forward: y[n,oy,ox,i·M+m] = Σ_{a,b} x[n, oy·s + a·d − T, …, i]·W[a,b,i,m].
 * tfjs allows stride > 1 or dilation > 1, never both.
 */

/** Sub-pixel depthwise filter: G[j, jw, i·M+m, rh·sw+rw] = W[(K−1−j)·sh + rh, (Kw−1−jw)·sw + rw, i, m]. */
function subpixelDepthwiseFilter(w: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  const [fh, fw, ci, m] = w.shape;
  const k = Math.ceil(fh / sh);
  const kw = Math.ceil(fw / sw);
  const phases = sh * sw;
  const src = w.dataSync() as Float32Array;
  const dst = new Float32Array(k * kw * ci * m * phases);
  forEachSubpixelTap(fh, fw, sh, sw, (j, jw, rh, rw, a, b) => {
    const s = (a * fw + b) * ci * m;
    const d = (j * kw + jw) * ci * m * phases + rh * sw + rw;
    for (let c = 0; c < ci * m; c++) dst[d + c * phases] = src[s + c];
  });
  return tf.tensor4d(dst, [k, kw, ci * m, phases]);
}

/**
 * Sums the M per-channel outputs back onto the Ci input channels: [N,H,W,Ci·M·P] → [N·H·W·Ci, P].
 * Kept at rank ≤ 3 because tfjs-backend-wasm reduces a middle axis by transposing first, and its
 * higher-rank transposes can be 100× slower for some permutations.
 */
function sumMultiplier(t: tf.Tensor4D, ci: number, m: number, p: number): tf.Tensor {
  const [n, h, w] = t.shape;
  if (m === 1) return tf.reshape(t, [n * h * w * ci, p]);
  return tf.sum(tf.reshape(t, [n * h * w * ci, m, p]), 1);
}

function depthwiseInputStride1(dy: tf.Tensor4D, w: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const [n] = dy.shape;
  const [fh, fw, ci, m] = w.shape;
  // dx[h] = Σ_a dy[h + T − a·d]·W[a]: a correlation with the flipped filter, dilation d.
  const top = (fh - 1) * g.dh - g.top;
  const left = (fw - 1) * g.dw - g.left;
  const bottom = g.inH + (fh - 1) * g.dh - top - g.outH;
  const right = g.inW + (fw - 1) * g.dw - left - g.outW;
  const p = padOrCrop(dy, top, bottom, left, right);
  const f = tf.reshape(flipSpatial(w), [fh, fw, ci * m, 1]) as tf.Tensor4D;
  const out = tf.depthwiseConv2d(p.x, f, 1, p.pad, 'NHWC', [g.dh, g.dw]);
  return tf.reshape(sumMultiplier(out, ci, m, 1), [n, g.inH, g.inW, ci]);
}

function depthwiseInputStrided(dy: tf.Tensor4D, w: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const [n] = dy.shape;
  const [fh, fw, ci, m] = w.shape;
  // Same phase split as conv2dBackpropInput's sub-pixel path, the phases riding on the multiplier.
  const axis = (inSize: number, outSize: number, f: number, s: number, t: number) => {
    const k = Math.ceil(f / s);
    const q0 = Math.floor(t / s);
    const q = Math.floor((inSize - 1 + t) / s) - q0 + 1;
    const before = k - 1 - q0;
    return { q, before, after: q + k - 1 - before - outSize, offset: t - q0 * s };
  };
  const ah = axis(g.inH, g.outH, fh, g.sh, g.top);
  const aw = axis(g.inW, g.outW, fw, g.sw, g.left);
  const p = padOrCrop(dy, ah.before, ah.after, aw.before, aw.after);
  const phases = tf.depthwiseConv2d(p.x, subpixelDepthwiseFilter(w, g.sh, g.sw), 1, p.pad);
  const summed = sumMultiplier(phases, ci, m, g.sh * g.sw); // [N·Q·Qw·Ci, P]
  // Phase-major, then rows of phases interleaved: two rank ≤ 4 transposes (see sumMultiplier).
  const phaseMajor = tf.transpose(tf.reshape(summed, [n * ah.q * aw.q, ci, g.sh * g.sw]), [0, 2, 1]);
  const rows = tf.transpose(tf.reshape(phaseMajor, [n * ah.q, aw.q, g.sh, g.sw * ci]), [0, 2, 1, 3]);
  const full = tf.reshape(rows, [n, ah.q * g.sh, aw.q * g.sw, ci]) as tf.Tensor4D;
  return crop(full, ah.offset, aw.offset, g.inH, g.inW);
}

export function depthwiseBackpropInputViaConv(
  inputShape: [number, number, number, number],
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  strides: number | [number, number],
  dilations: number | [number, number],
  pad: PadAttr,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): tf.Tensor4D {
  const g = convGeometry(inputShape, filter.shape, strides, dilations, pad, dimRoundingMode, true);
  return tf.tidy(() => (g.sh === 1 && g.sw === 1 ? depthwiseInputStride1(dy, filter, g) : depthwiseInputStrided(dy, filter, g))) as tf.Tensor4D;
}

export const depthwiseBackpropInputKernel = opKernel(({ dy, filter }, attrs) => {
  const a = attrs as unknown as DepthwiseAttrs & { inputShape: [number, number, number, number] };
  return depthwiseBackpropInputViaConv(a.inputShape, dy as tf.Tensor4D, filter as tf.Tensor4D, a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode);
});

