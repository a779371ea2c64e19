/**
 * oneDNN convolutions and matrix products for tfjs's wasm backend, working in place on its heap. Optional: `loadAddon`
 * says why when the addon or libdnnl is missing, and the wasm kernels stay in charge.
 */
export { loadAddon, type AddonStatus, type DnnlAddon } from './addon.js';
export { callCounts, isEnabled, NATIVE_KERNELS, registerNativeKernels, setEnabled } from './kernels.js';
export { convLayout, Layout, multiplyAdds, packGeometry, Pass, type LayoutName, type PassName } from './geometry.js';
export { filterToken } from './filter-tokens.js';
export { nativeAdamUpdate, NATIVE_ADAM_MIN_SIZE } from './adam.js';
