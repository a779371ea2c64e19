/**
 * Tensors on the wasm heap start on a cache line (64 bytes) while the native kernels are registered.
 *
 * Emscripten's malloc aligns to 8 bytes, so a tfjs tensor's data starts anywhere in a cache line.
 * oneDNN's depthwise kernels stream NHWC activations as 16-float (64-byte) vectors: off a line
 * boundary every such load and store spans two lines, and they ran at about half speed. MobileNet's
 * dw5 (4×32²×256, 3×3, one thread) took 0.34 / 0.35 / 0.36 ms (forward / input / filter gradient)
 * on aligned buffers and 0.58 / 0.73 / 0.75 ms or more 8 or 24 bytes off a line, oneDNN called
 * directly (research/depthwise-alignment.cpp has the program and the sitting). The anchor's buffers
 * are oneDNN's own, on 64-byte boundaries; the dense passes, compute-bound, met it even unaligned.
 *
 * The wasm backend allocates every tensor through the module's `_malloc` and releases it through
 * `_free` (its C++ side never frees tensor memory), so both are wrapped: ask for 63 bytes more, hand
 * out the first aligned address inside, and map it back on free. A pointer the wrapper did not hand
 * out (one C++ allocated, or a tensor made before the wrapper was installed) goes to free unchanged.
 * The wrappers only change where a tensor starts, never its values.
 */

export const HEAP_ALIGNMENT = 64;

/** What the wrapper needs of the Emscripten module behind tfjs-backend-wasm. */
export interface WasmAllocator {
  _malloc(bytes: number): number;
  _free(pointer: number): void;
}

const aligned = new WeakSet<WasmAllocator>();

/** Makes the module's `_malloc` return 64-byte-aligned offsets from now on (once per module). */
export function alignHeapAllocations(wasm: WasmAllocator): void {
  if (aligned.has(wasm)) return;
  // Emscripten exports each function as a thunk that, on its first call, replaces itself on the module
  // with the raw export. Calling both once first means the functions captured below are the final ones:
  // a thunk called later from inside the wrapper would put the raw `_free` back in its place, and that
  // would then be handed aligned pointers it never allocated.
  wasm._free(wasm._malloc(1));
  const malloc = wasm._malloc;
  const free = wasm._free;
  const allocated = new Map<number, number>();
  wasm._malloc = (bytes: number) => {
    const raw = malloc(bytes + HEAP_ALIGNMENT - 1) >>> 0;
    if (raw === 0) return 0;
    const offset = Math.ceil(raw / HEAP_ALIGNMENT) * HEAP_ALIGNMENT;
    allocated.set(offset, raw);
    return offset;
  };
  wasm._free = (pointer: number) => {
    const raw = allocated.get(pointer);
    if (raw === undefined) return free(pointer);
    allocated.delete(pointer);
    return free(raw);
  };
  aligned.add(wasm);
}
