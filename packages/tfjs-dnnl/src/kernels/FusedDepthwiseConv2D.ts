import { convInfo, fusion, runConvPass, supported, type ConvAttrs, type FusedAttrs, type NativeBody } from './support.js';

/** DepthwiseConv2dNative with the bias and activation fused (prelu goes to the wrapped kernel). */
export const fusedDepthwiseConv2D: NativeBody = (addon, { inputs: { x, filter, bias, preluActivationWeights }, attrs }, backend) => {
  const a = attrs as unknown as ConvAttrs & FusedAttrs;
  if (!supported(a, x, filter)) return null;
  const info = convInfo(x.shape, filter.shape, a, true);
  const fused = fusion(a, info.outChannels, bias, preluActivationWeights);
  return fused && runConvPass(addon, backend, 'forward', info, info.inChannels, info.outShape, x, filter, fused);
};
