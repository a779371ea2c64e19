import { convInfo, fusion, runConvPass, supported, type ConvAttrs, type FusedAttrs, type NativeBody } from './support.js';

/** Conv2D with the bias and activation fused into oneDNN's primitive (prelu goes to the wrapped kernel). */
export const fusedConv2D: NativeBody = (addon, { inputs: { x, filter, bias, preluActivationWeights }, attrs }, backend) => {
  const a = attrs as unknown as ConvAttrs & FusedAttrs;
  if (!supported(a, x, filter)) return null;
  const info = convInfo(x.shape, filter.shape, a);
  const fused = fusion(a, info.outChannels, bias, preluActivationWeights);
  return fused && runConvPass(addon, backend, 'forward', info, 1, info.outShape, x, filter, fused);
};
