import { backpropInfo, runConvPass, type ConvAttrs, type NativeBody } from './support.js';

export const conv2DBackpropInput: NativeBody = (addon, { inputs: { dy, filter }, attrs }, backend) => {
  const a = attrs as unknown as ConvAttrs & { inputShape: number[] };
  const info = backpropInfo(a, a.inputShape, filter.shape, dy, [filter]);
  return info && runConvPass(addon, backend, 'backwardData', info, 1, a.inputShape, dy, filter);
};
