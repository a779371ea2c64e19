import { convInfo, runConvPass, supported, type ConvAttrs, type NativeBody } from './support.js';

export const conv2DBackpropFilter: NativeBody = (addon, { inputs: { x, dy }, attrs }, backend) => {
  const a = attrs as unknown as ConvAttrs & { filterShape: number[] };
  if (!supported(a, x, dy)) return null;
  // tfjs's Conv2DBackpropFilter has no dilations (its gradient refuses dilated convs).
  const info = convInfo(x.shape, a.filterShape, { ...a, dilations: 1 });
  return runConvPass(addon, backend, 'backwardWeights', info, 1, a.filterShape, x, dy);
};
