import * as tf from '@tensorflow/tfjs';
import { convGeometry, crop, padOrCrop, type ConvGeometry, type PadAttr } from './conv_geometry.js';
import { flipSpatial, forEachSubpixelTap } from './filter_transforms.js';
import { opKernel } from './op_kernel.js';

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

/**
 * dW[a,b,i,m] = Σ_{n,oy,ox} xpad[n, oy·s + a·d, ox·s + b·d, i]·dy[n,oy,ox,i·M+m]
 * is, per (n,i), a correlation of the padded input with dy evaluated at the fh×fw tap offsets: one
 * depthwise conv whose channels are the (n,i) pairs, whose filter is dy ([Ho,Wo,N·Ci,M]) with
 * dilation s, and whose stride is d; the N partial results are then summed. XNNPACK runs this
 * large-kernel depthwise conv at full speed, while slicing out taps is bound by tfjs-backend-wasm's
 * slow strided/rank-4 Slice (2–5× slower, measured).
 */
export function depthwiseBackpropFilterViaConv(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  dilations: number | [number, number],
  pad: PadAttr,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): tf.Tensor4D {
  const g = convGeometry(x.shape, filterShape, strides, dilations, pad, dimRoundingMode, true);
  const [fh, fw, ci, m] = filterShape;
  const n = g.batch;
  return tf.tidy(() => {
    // Rows read: tap a spans a·d … a·d + (Ho−1)·s; pad or crop so the output is exactly fh×fw.
    const bottom = (fh - 1) * g.dh + (g.outH - 1) * g.sh + 1 - g.inH - g.top;
    const right = (fw - 1) * g.dw + (g.outW - 1) * g.sw + 1 - g.inW - g.left;
    const p = padOrCrop(x, g.top, bottom, g.left, right);
    const [, hp, wp] = p.x.shape;
    const xt = n === 1 ? p.x : tf.transpose(p.x, [1, 2, 0, 3]);
    const xin = tf.reshape(xt, [1, hp, wp, n * ci]) as tf.Tensor4D;
    const dyt = n === 1 ? dy : tf.transpose(dy, [1, 2, 0, 3]);
    const f = tf.reshape(dyt, [g.outH, g.outW, n * ci, m]) as tf.Tensor4D;
    const out = tf.depthwiseConv2d(xin, f, [g.dh, g.dw], p.pad, 'NHWC', [g.sh, g.sw]);
    const perBatch = tf.reshape(out, [fh * fw, n, ci * m]);
    return tf.reshape(n === 1 ? perBatch : tf.sum(perBatch, 1), filterShape) as tf.Tensor4D;
  });
}

interface DepthwiseAttrs {
  strides: number | [number, number];
  dilations: number | [number, number];
  pad: PadAttr;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export const depthwiseBackpropInputKernel = opKernel(({ dy, filter }, attrs) => {
  const a = attrs as unknown as DepthwiseAttrs & { inputShape: [number, number, number, number] };
  return depthwiseBackpropInputViaConv(a.inputShape, dy as tf.Tensor4D, filter as tf.Tensor4D, a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode);
});

export const depthwiseBackpropFilterKernel = opKernel(({ x, dy }, attrs) => {
  const a = attrs as unknown as DepthwiseAttrs & { filterShape: [number, number, number, number] };
  return depthwiseBackpropFilterViaConv(x as tf.Tensor4D, dy as tf.Tensor4D, a.filterShape, a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode);
});
