import * as tf from '@tensorflow/tfjs';
import { convGeometry, padOrCrop, toNHWC, type DataFormat, type PadAttr } from './conv_geometry.js';
import { opKernel } from './op_kernel.js';

/**
 * dW for conv2d as one ordinary convolution:
 *   dW[a,b,i,o] = Σ_{n,y,x} xpad[n, y·s + a, x·s + b, i] · dy[n,y,x,o]
 * is a stride-1 convolution of x with channels as batch (x → [Ci,H,W,N]) by dy used as a dilated
 * filter (dy → [Ho,Wo,N,Co], dilation = stride), giving [Ci,fh,fw,Co]. Padding is chosen so the
 * result is exactly fh×fw: rows (Ho−1)·s + fh of the padded input are read, no more.
 */
export function conv2dBackpropFilterViaConv(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  pad: PadAttr,
  dataFormat: DataFormat = 'NHWC',
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): tf.Tensor4D {
  const g = convGeometry(x.shape, filterShape, strides, 1, pad, dimRoundingMode, false, dataFormat);
  return tf.tidy(() => {
    const xs = toNHWC(x, g.channelsFirst);
    const dys = toNHWC(dy, g.channelsFirst);
    const bottom = (g.outH - 1) * g.sh + g.fh - g.inH - g.top;
    const right = (g.outW - 1) * g.sw + g.fw - g.inW - g.left;
    const p = padOrCrop(xs, g.top, bottom, g.left, right);
    const xt = tf.transpose(p.x, [3, 1, 2, 0]) as tf.Tensor4D;
    const dyt = tf.transpose(dys, [1, 2, 0, 3]) as tf.Tensor4D;
    const dilations: [number, number] = [g.sh, g.sw];
    const out = tf.conv2d(xt, dyt, 1, p.pad, 'NHWC', dilations);
    return tf.transpose(out, [1, 2, 0, 3]) as tf.Tensor4D;
  });
}

export const conv2dBackpropFilterKernel = opKernel(({ x, dy }, attrs) => {
  const a = attrs as unknown as {
    strides: number | [number, number];
    pad: PadAttr;
    dataFormat?: DataFormat;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    filterShape: [number, number, number, number];
  };
  return conv2dBackpropFilterViaConv(x as tf.Tensor4D, dy as tf.Tensor4D, a.filterShape, a.strides, a.pad, a.dataFormat ?? 'NHWC', a.dimRoundingMode);
});
