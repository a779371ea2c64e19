import * as tf from '@tensorflow/tfjs';

/** Padding attrs as tfjs kernels receive them. */
export type PadAttr = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
export type DataFormat = 'NHWC' | 'NCHW';

/** The attributes tfjs passes to both Conv2D backprop kernels. */
export interface ConvBackpropAttrs {
  strides: number | [number, number];
  pad: PadAttr;
  dataFormat?: DataFormat;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export interface ConvGeometry {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  fh: number;
  fw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  top: number;
  left: number;
  channelsFirst: boolean;
}

/** Resolves the geometry of a forward conv from kernel attrs, with tfjs's own rules for every pad form. */
export function convGeometry(
  inShape: readonly number[],
  filterShape: readonly number[],
  strides: number | [number, number],
  dilations: number | [number, number],
  pad: PadAttr,
  dimRoundingMode: 'floor' | 'round' | 'ceil' | undefined,
  depthwise: boolean,
  dataFormat: DataFormat = 'NHWC',
): ConvGeometry {
  const info = tf.backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    dilations,
    pad,
    dimRoundingMode,
    depthwise,
    tf.backend_util.convertConv2DDataFormat(dataFormat),
  );
  return {
    batch: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    outC: info.outChannels,
    fh: info.filterHeight,
    fw: info.filterWidth,
    sh: info.strideHeight,
    sw: info.strideWidth,
    dh: info.dilationHeight,
    dw: info.dilationWidth,
    top: info.padInfo.top,
    left: info.padInfo.left,
    channelsFirst: info.dataFormat === 'channelsFirst',
  };
}

export function toNHWC<T extends tf.Tensor4D>(t: T, channelsFirst: boolean): T {
  return channelsFirst ? (tf.transpose(t, [0, 2, 3, 1]) as T) : t;
}

export function fromNHWC<T extends tf.Tensor4D>(t: T, channelsFirst: boolean): T {
  return channelsFirst ? (tf.transpose(t, [0, 3, 1, 2]) as T) : t;
}

/**
 * Spatial crop of an NHWC tensor, sliced as [N, H, W·C] so that every copied run is a whole row
 * (W·C values): tfjs-backend-wasm's Slice copies one innermost run per call, which for a
 * 1–3-channel rank-4 slice means one call per pixel.
 */
export function crop(x: tf.Tensor4D, top: number, left: number, height: number, width: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  if (top === 0 && left === 0 && height === h && width === w) return x;
  const rows = tf.slice(tf.reshape(x, [n, h, w * c]), [0, top, left * c], [n, height, width * c]);
  return tf.reshape(rows, [n, height, width, c]);
}

/**
 * Pads (or, for negative amounts, crops) rows and columns of an NHWC tensor. Padding is returned as
 * explicit conv padding when possible so the convolution pads for free; crops are applied here.
 */
export function padOrCrop(
  x: tf.Tensor4D,
  top: number,
  bottom: number,
  left: number,
  right: number,
): { x: tf.Tensor4D; pad: tf.backend_util.ExplicitPadding } {
  const [n, h, w, c] = x.shape;
  const ct = Math.max(0, -top);
  const cb = Math.max(0, -bottom);
  const cl = Math.max(0, -left);
  const cr = Math.max(0, -right);
  const cropped = ct || cb || cl || cr ? crop(x, ct, cl, h - ct - cb, w - cl - cr) : x;
  const pad: tf.backend_util.ExplicitPadding = [
    [0, 0],
    [Math.max(0, top), Math.max(0, bottom)],
    [Math.max(0, left), Math.max(0, right)],
    [0, 0],
  ];
  return { x: cropped, pad };
}

/** Attributes of tfjs's depthwise backprop kernels. */
export interface DepthwiseAttrs {
  strides: number | [number, number];
  dilations: number | [number, number];
  pad: PadAttr;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}
