import * as tf from '@tensorflow/tfjs';
import type { DnnlAddon } from '../addon.js';
import { filterToken } from '../filter-tokens.js';
import { convLayout, Layout, packGeometry, Pass, type PassName } from '../geometry.js';
import type { WasmAllocator } from '../heap-alignment.js';

/** What these kernels need of tfjs-backend-wasm's backend object. */
export interface WasmHeapBackend {
  wasm: WasmAllocator & { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
}

/** A kernel body on the inputs tfjs passes (optional ones, bias and prelu weights, may be absent); null hands the call to the wrapped kernel. */
export type NativeBody = (addon: DnnlAddon, args: { inputs: Record<string, tf.TensorInfo>; attrs?: tf.NamedAttrMap }, backend: WasmHeapBackend) => tf.TensorInfo | null;

/** oneDNN post-op codes of native/activation.cc for the fused kernels' activations (prelu is not fused). */
export const ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1, relu6: 2, leakyrelu: 3, sigmoid: 4, elu: 5 };

export interface ConvAttrs {
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
  dataFormat?: string;
  dilations?: number | [number, number];
  dimRoundingMode?: string;
}

/** The fused kernels' extra attributes. */
export interface FusedAttrs {
  activation?: string;
  leakyreluAlpha?: number;
}

/** The native kernels take non-empty float32 tensors only. */
export function nonEmptyFloat32(...ts: (tf.TensorInfo | undefined)[]): boolean {
  return ts.every((t) => t === undefined || (t.dtype === 'float32' && tf.util.sizeFromShape(t.shape) > 0));
}

/** Convolutions they do not take: NCHW, rounding modes, other dtypes, empty tensors. */
export function supported(attrs: ConvAttrs, ...ts: (tf.TensorInfo | undefined)[]): boolean {
  return (attrs.dataFormat === undefined || attrs.dataFormat === 'NHWC') && attrs.dimRoundingMode == null && nonEmptyFloat32(...ts);
}

/** tfjs's resolution of a conv's geometry; `depthwise` reads the filter as [fh, fw, in, multiplier]. */
export function convInfo(inShape: number[], filterShape: number[], a: ConvAttrs, depthwise = false): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    a.dilations ?? 1,
    a.pad,
    undefined,
    depthwise,
  );
}

/**
 * The geometry of a backprop pass, or null when the native kernels do not take it (see `supported`)
 * or when `dy` is not the forward pass's output shape for it (the wrapped kernel then raises tfjs's
 * own error instead of oneDNN reading past the tensor). The one owner of the four backprop kernels'
 * checks: tfjs's dense Conv2DBackpropInput/Filter carry no dilations (its conv2d gradient refuses
 * dilated convs), the depthwise ones do.
 */
export function backpropInfo(attrs: ConvAttrs, inShape: number[], filterShape: number[], dy: tf.TensorInfo, others: tf.TensorInfo[], depthwise = false): tf.backend_util.Conv2DInfo | null {
  if (!supported(attrs, dy, ...others) || inShape.length !== 4 || filterShape.length !== 4 || dy.shape.length !== 4) return null;
  const info = convInfo(inShape, filterShape, depthwise ? attrs : { ...attrs, dilations: 1 }, depthwise);
  return info.outShape.every((d, i) => d === dy.shape[i]) ? info : null;
}

export const heapOffset = (backend: WasmHeapBackend, t: tf.TensorInfo): number => backend.dataIdMap.get(t.dataId)!.memoryOffset;

/** A fused kernel's bias and activation, or null when oneDNN cannot fuse them (prelu, a bias that is not one value per output channel). */
export function fusion(attrs: FusedAttrs, outChannels: number, bias: tf.TensorInfo | undefined, prelu: tf.TensorInfo | undefined): { bias?: tf.TensorInfo; activation: number; alpha: number } | null {
  const activation = ACTIVATIONS[attrs.activation ?? 'linear'];
  if (activation === undefined || prelu != null || !nonEmptyFloat32(bias)) return null;
  if (bias != null && (bias.shape.length !== 1 || bias.shape[0] !== outChannels)) return null;
  return { bias: bias ?? undefined, activation, alpha: attrs.leakyreluAlpha ?? 0.2 };
}

/**
 * Allocates the output on the wasm heap, then runs one convolution pass on it. The heap's buffer and
 * every offset are read after the allocation: growing the wasm memory replaces its ArrayBuffer.
 * `groups` is 1 for a dense convolution and the input channel count for a depthwise one. The filter
 * (operand b of the forward and input-gradient passes) goes with its token, so that oneDNN's
 * reordered copy of a filter that did not change is reused.
 */
export function runConvPass(
  addon: DnnlAddon,
  backend: WasmHeapBackend,
  pass: PassName,
  info: tf.backend_util.Conv2DInfo,
  groups: number,
  outShape: number[],
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  fused?: { bias?: tf.TensorInfo; activation: number; alpha: number },
): tf.TensorInfo {
  const out = backend.makeOutput(outShape, 'float32');
  const offset = (t: tf.TensorInfo) => heapOffset(backend, t);
  addon.conv(
    Pass[pass],
    packGeometry(info, groups),
    backend.wasm.HEAPU8.buffer as ArrayBuffer,
    offset(a),
    offset(b),
    offset(out),
    Layout[convLayout(pass, info, groups)],
    fused?.bias ? offset(fused.bias) : -1,
    fused?.activation ?? 0,
    fused?.alpha ?? 0,
    pass === 'backwardWeights' ? -1 : filterToken(b.dataId),
  );
  return out;
}
