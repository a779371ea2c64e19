import { convInfo, runConvPass, supported, type ConvAttrs, type NativeBody } from './support.js';

/** dW of a depthwise convolution, [fh, fw, in, multiplier]; dilations as given. */
export const depthwiseConv2dNativeBackpropFilter: NativeBody = (addon, { inputs: { x, dy }, attrs }, backend) => {
  const a = attrs as unknown as ConvAttrs & { filterShape: number[] };
  if (!supported(a, x, dy)) return null;
  const info = convInfo(x.shape, a.filterShape, a, true);
  return runConvPass(addon, backend, 'backwardWeights', info, info.inChannels, a.filterShape, x, dy);
};
