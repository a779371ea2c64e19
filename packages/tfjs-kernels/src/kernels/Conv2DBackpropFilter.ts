import * as tf from '@tensorflow/tfjs';
import { convGeometry, padOrCrop, toNHWC, type ConvBackpropAttrs, type ConvGeometry, type DataFormat, type PadAttr } from '../support/conv_geometry.js';
import { opKernel } from '../support/op_kernel.js';
import { allocateFloat32, float32Storage } from '../support/tensor_memory.js';

/**
 * dW for conv2d as one ordinary convolution:
 *   dW[a,b,i,o] = Σ_{n,y,x} xpad[n, y·s + a, x·s + b, i] · dy[n,y,x,o]
 * is a stride-1 convolution of x with channels as batch (x → [Ci,H,W,N]) by dy used as a dilated
 * filter (dy → [Ho,Wo,N,Co], dilation = stride), giving [Ci,fh,fw,Co]. Padding is chosen so the
 * result is exactly fh×fw: rows (Ho−1)·s + fh of the padded input are read, no more.
 */
function viaConv(xs: tf.Tensor4D, dys: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const bottom = (g.outH - 1) * g.sh + g.fh - g.inH - g.top;
  const right = (g.outW - 1) * g.sw + g.fw - g.inW - g.left;
  const p = padOrCrop(xs, g.top, bottom, g.left, right);
  const xt = tf.transpose(p.x, [3, 1, 2, 0]) as tf.Tensor4D;
  const dyt = tf.transpose(dys, [1, 2, 0, 3]) as tf.Tensor4D;
  const dilations: [number, number] = [g.sh, g.sw];
  const out = tf.conv2d(xt, dyt, 1, p.pad, 'NHWC', dilations);
  return tf.transpose(out, [1, 2, 0, 3]) as tf.Tensor4D;
}

/**
 * Patches of x, tap-major and transposed: row (a·fw + b)·Ci + i, column (n·Ho + y)·Wo + x holds
 * x[n, y·s + a − top, x·s + b − left, i] (zero outside x). Built on the host: with few input
 * channels each row is a strided walk over x, far cheaper than any tfjs op sequence.
 */
function patchesTransposed(x: tf.Tensor4D, g: ConvGeometry): tf.Tensor2D {
  const [n, H, W, C] = x.shape;
  const { fh, fw, sh, sw, top, left, outH: ho, outW: wo } = g;
  const K = n * ho * wo;
  const out = allocateFloat32([fh * fw * C, K]);
  const X = float32Storage(x);
  const P = float32Storage(out);
  if (!X || !P) throw new Error('conv2dBackpropFilter: im2col needs host access to float32 tensors');
  for (let a = 0; a < fh; a++)
    for (let b = 0; b < fw; b++)
      for (let c = 0; c < C; c++) {
        let j = ((a * fw + b) * C + c) * K;
        for (let img = 0; img < n; img++)
          for (let y = 0; y < ho; y++) {
            const ih = y * sh + a - top;
            if (ih < 0 || ih >= H) {
              P.fill(0, j, j + wo);
              j += wo;
              continue;
            }
            const row = (img * H + ih) * W;
            for (let xx = 0; xx < wo; xx++) {
              const iw = xx * sw + b - left;
              P[j++] = iw < 0 || iw >= W ? 0 : X[(row + iw) * C + c];
            }
          }
      }
  return out as tf.Tensor2D;
}

/** dW = patchesᵀ · dy as one untransposed GEMM ([fh·fw·Ci, N·Ho·Wo] · [N·Ho·Wo, Co]). */
function viaGemm(xs: tf.Tensor4D, dys: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const dy2 = tf.reshape(dys, [g.batch * g.outH * g.outW, g.outC]) as tf.Tensor2D;
  return tf.reshape(tf.matMul(patchesTransposed(xs, g), dy2), [g.fh, g.fw, g.inC, g.outC]) as tf.Tensor4D;
}

export type BackpropFilterStrategy = 'conv' | 'gemm';

/**
 * Measured on wasm (CPU ms per call with a fresh dy each call, as in training, where XNNPACK packs
 * the GEMM's weights anew every time; conv/gemm): 28²×1 3×3→32 at batch 64: 3.6–4.2/2.7–3.0;
 * 28²×4: 4.2/5.1; 128²×3 5×5→64 at batch 8: 35/47; 14²×32 3×3→64: 7.4/11. With one input channel
 * the dilated conv has only fh·fw output rows against a reduction over every pixel of the batch,
 * which XNNPACK runs poorly, and the host im2col is a plain strided copy; beyond that the im2col's
 * strided reads and the packing of dy as weights cost more than the conv loses. The host im2col
 * needs host memory, so other backends always take the conv.
 */
export function chooseBackpropFilterStrategy(g: ConvGeometry): BackpropFilterStrategy {
  return tf.getBackend() === 'wasm' && g.inC === 1 ? 'gemm' : 'conv';
}

export function conv2dBackpropFilterViaConv(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  pad: PadAttr,
  dataFormat: DataFormat = 'NHWC',
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
  strategy?: BackpropFilterStrategy,
): tf.Tensor4D {
  const g = convGeometry(x.shape, filterShape, strides, 1, pad, dimRoundingMode, false, dataFormat);
  return tf.tidy(() => {
    const xs = toNHWC(x, g.channelsFirst);
    const dys = toNHWC(dy, g.channelsFirst);
    return (strategy ?? chooseBackpropFilterStrategy(g)) === 'gemm' ? viaGemm(xs, dys, g) : viaConv(xs, dys, g);
  });
}

export const conv2dBackpropFilterKernel = opKernel(({ x, dy }, attrs) => {
  const a = attrs as unknown as ConvBackpropAttrs & { filterShape: [number, number, number, number] };
  return conv2dBackpropFilterViaConv(x as tf.Tensor4D, dy as tf.Tensor4D, a.filterShape, a.strides, a.pad, a.dataFormat ?? 'NHWC', a.dimRoundingMode);
});
