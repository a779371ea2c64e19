import { loadAddon, registerNativeKernels, setEnabled } from '@yoto/tfjs-dnnl';

/** The native kernels that ran (`wasm+dnnl`): the library's version and its thread count. */
export interface NativeKernels {
  library: string;
  threads: number;
}

/**
 * Puts oneDNN's kernels in front of the wasm backend's (they must be registered after the project's
 * kernel fixes, which they then fall back on) and sets their thread count. Returns why not when the
 * addon or libdnnl is missing.
 */
export function enableNativeKernels(threads: number): { ok: true; native: NativeKernels } | { ok: false; why: string } {
  const status = loadAddon();
  if (!status.ok) return status;
  registerNativeKernels(status.addon);
  status.addon.setThreads(threads);
  setEnabled(true);
  return { ok: true, native: { library: `oneDNN ${status.addon.version()}`, threads: status.addon.threads() } };
}

/** Back to the plain wasm kernels (the native ones stay registered and hand every call over). */
export function disableNativeKernels(): void {
  setEnabled(false);
}
