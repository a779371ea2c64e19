import { convInfo, runConvPass, supported, type ConvAttrs, type NativeBody } from './support.js';

/** Depthwise: oneDNN's grouped convolution with one group per input channel (filter [fh, fw, in, multiplier]). */
export const depthwiseConv2dNative: NativeBody = (addon, { inputs: { x, filter }, attrs }, backend) => {
  const a = attrs as unknown as ConvAttrs;
  if (!supported(a, x, filter)) return null;
  const info = convInfo(x.shape, filter.shape, a, true);
  return runConvPass(addon, backend, 'forward', info, info.inChannels, info.outShape, x, filter);
};
