import { convInfo, runConvPass, supported, type ConvAttrs, type NativeBody } from './support.js';

/** dx of a depthwise convolution; unlike Conv2DBackpropInput it carries (and oneDNN takes) dilations. */
export const depthwiseConv2dNativeBackpropInput: NativeBody = (addon, { inputs: { dy, filter }, attrs }, backend) => {
  const a = attrs as unknown as ConvAttrs & { inputShape: number[] };
  if (!supported(a, dy, filter)) return null;
  const info = convInfo(a.inputShape, filter.shape, a, true);
  return runConvPass(addon, backend, 'backwardData', info, info.inChannels, a.inputShape, dy, filter);
};
