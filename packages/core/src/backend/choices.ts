// Tfjs-free (subpath @yoto/core/backend-choices), so a CLI can check a --backend flag before it loads tfjs.

/**
 * Backends `initBackend` understands; `auto` picks the first that loads, in this order.
 * `wasm+dnnl` is the wasm backend with its convolutions run natively by oneDNN (@yoto/tfjs-dnnl).
 */
export type BackendChoice = 'auto' | 'node-gpu' | 'node' | 'wasm+dnnl' | 'wasm' | 'cpu';

export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'node-gpu', 'node', 'wasm+dnnl', 'wasm', 'cpu'];
