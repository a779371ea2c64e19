import { convInfo, runConvPass, supported, type ConvAttrs, type NativeBody } from './support.js';

export const conv2DBackpropInput: NativeBody = (addon, { inputs: { dy, filter }, attrs }, backend) => {
  const a = attrs as unknown as ConvAttrs & { inputShape: number[] };
  if (!supported(a, dy, filter)) return null;
  // tfjs's Conv2DBackpropInput has no dilations (its gradient refuses dilated convs).
  const info = convInfo(a.inputShape, filter.shape, { ...a, dilations: 1 });
  return runConvPass(addon, backend, 'backwardData', info, 1, a.inputShape, dy, filter);
};
