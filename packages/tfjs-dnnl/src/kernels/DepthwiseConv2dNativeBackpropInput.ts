import { backpropInfo, runConvPass, type ConvAttrs, type NativeBody } from './support.js';

/** dx of a depthwise convolution; unlike Conv2DBackpropInput it carries (and oneDNN takes) dilations. */
export const depthwiseConv2dNativeBackpropInput: NativeBody = (addon, { inputs: { dy, filter }, attrs }, backend) => {
  const a = attrs as unknown as ConvAttrs & { inputShape: number[] };
  const info = backpropInfo(a, a.inputShape, filter.shape, dy, [filter], true);
  return info && runConvPass(addon, backend, 'backwardData', info, info.inChannels, a.inputShape, dy, filter);
};
