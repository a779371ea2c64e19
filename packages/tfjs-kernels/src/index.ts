/**
 * This project's fixes to tfjs's wasm and cpu kernels (one file per kernel under `kernels/`, named
 * after the tfjs kernel it provides), and the host-memory helpers they share with core's trainer.
 * `registerKernelFixes` puts them in place; core's `initBackend` calls it.
 */
export { KERNEL_FIXES, originalKernel, registerKernelFixes, runOriginalKernel, type KernelFix } from './register.js';
export { allocateFloat32, float32Storage, hasHostStorage } from './support/tensor_memory.js';
export { convGeometry, type ConvGeometry } from './support/conv_geometry.js';
export { chooseBackpropFilterStrategy, conv2dBackpropFilterViaConv, type BackpropFilterStrategy } from './kernels/Conv2DBackpropFilter.js';
export { chooseBackpropInputStrategy, conv2dBackpropInputViaConv, type BackpropInputStrategy } from './kernels/Conv2DBackpropInput.js';
export { depthwiseBackpropFilterViaConv } from './kernels/DepthwiseConv2dNativeBackpropFilter.js';
export { depthwiseBackpropInputViaConv } from './kernels/DepthwiseConv2dNativeBackpropInput.js';
