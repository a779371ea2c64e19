import * as tf from '@tensorflow/tfjs';
import { convGeometry, padOrCrop, type DepthwiseAttrs, type PadAttr } from '../support/conv_geometry.js';
import { opKernel } from '../support/op_kernel.js';

/* Filter gradient of depthwiseConv2d (NHWC; filter [fh,fw,Ci,M]); see DepthwiseConv2dNativeBackpropInput.ts for the forward formula. */

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

export const depthwiseBackpropFilterKernel = opKernel(({ x, dy }, attrs) => {
  const a = attrs as unknown as DepthwiseAttrs & { filterShape: [number, number, number, number] };
  return depthwiseBackpropFilterViaConv(x as tf.Tensor4D, dy as tf.Tensor4D, a.filterShape, a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode);
});
