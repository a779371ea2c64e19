import { convInfo, runConvPass, supported, type ConvAttrs, type NativeBody } from './support.js';

export const conv2D: NativeBody = (addon, { inputs: { x, filter }, attrs }, backend) => {
  const a = attrs as unknown as ConvAttrs;
  if (!supported(a, x, filter)) return null;
  const info = convInfo(x.shape, filter.shape, a);
  return runConvPass(addon, backend, 'forward', info, 1, info.outShape, x, filter);
};
