import { backpropInfo, runConvPass, type ConvAttrs, type NativeBody } from './support.js';

export const conv2DBackpropFilter: NativeBody = (addon, { inputs: { x, dy }, attrs }, backend) => {
  const a = attrs as unknown as ConvAttrs & { filterShape: number[] };
  const info = backpropInfo(a, x.shape, a.filterShape, dy, [x]);
  return info && runConvPass(addon, backend, 'backwardWeights', info, 1, a.filterShape, x, dy);
};
