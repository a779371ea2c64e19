import { backpropInfo, runConvPass, type ConvAttrs, type NativeBody } from './support.js';

/** dW of a depthwise convolution, [fh, fw, in, multiplier]; dilations as given. */
export const depthwiseConv2dNativeBackpropFilter: NativeBody = (addon, { inputs: { x, dy }, attrs }, backend) => {
  const a = attrs as unknown as ConvAttrs & { filterShape: number[] };
  const info = backpropInfo(a, x.shape, a.filterShape, dy, [x], true);
  return info && runConvPass(addon, backend, 'backwardWeights', info, info.inChannels, a.filterShape, x, dy);
};
