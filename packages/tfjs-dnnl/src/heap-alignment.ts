/**
 * Tensors on the wasm heap start on a cache line (64 bytes) while the native kernels are registered,
 * and large ones start at staggered offsets modulo 2 KiB.
 *
 * Emscripten's malloc aligns to 8 bytes, so a tfjs tensor's data starts anywhere in a cache line.
 * oneDNN's depthwise kernels stream NHWC activations as 16-float (64-byte) vectors: off a line
 * boundary every such load and store spans two lines, and they ran at about half speed. MobileNet's
 * dw5 (4×32²×256, 3×3, one thread) took 0.34 / 0.35 / 0.36 ms (forward / input / filter gradient)
 * on aligned buffers and 0.58 / 0.73 / 0.75 ms or more 8 or 24 bytes off a line, oneDNN called
 * directly (research/depthwise-alignment.cpp has the program and the sitting). The anchor's buffers
 * are oneDNN's own, on 64-byte boundaries; the dense passes, compute-bound, met it even unaligned.
 *
 * Why staggered: a depthwise filter gradient streams its two activations side by side, and when they
 * start within about 128 bytes of each other modulo 2 KiB, the core runs it slower (an aliasing
 * effect, its mechanism not pinned down): MobileNet dw7's (4×16²×512) ran at 31–32 G multiply-adds/s
 * then, 38.7 at 256 bytes apart and 41–42 at 512 bytes or more (research/depthwise-aliasing.cpp, oneDNN
 * called directly). Malloc makes that collision the rule, not chance: tensors of a power-of-two size
 * allocated one after another land a chunk header and the padding (64–128 bytes once aligned) apart
 * modulo 2 KiB, which put dw7's two operands 64 bytes apart in the kernels bench
 * (research/bench-heap-placement.ts). So a tensor of 64 KiB or more
 * starts at one of eight offsets modulo 2 KiB, 256 bytes apart: the one fewest live large tensors
 * start at, ties taken in an order that steps 768 bytes, so tensors allocated one after another sit
 * 512 bytes or more apart. Copying one operand aside in the kernel instead would cost about what it
 * saves: dw7 would gain 0.04 ms a call, and copying its 2 MiB moves 4 MiB, 0.04 ms even at 100 GB/s.
 * The padding, under 2 KiB a tensor, is at most 3% of one.
 *
 * The wasm backend allocates every tensor through the module's `_malloc` and releases it through
 * `_free` (its C++ side never frees tensor memory), so both are wrapped: ask for the padding more,
 * hand out the chosen address inside, and map it back on free. A pointer the wrapper did not hand
 * out (one C++ allocated, or a tensor made before the wrapper was installed) goes to free unchanged.
 * The wrappers only change where a tensor starts, never its values.
 */

export const HEAP_ALIGNMENT = 64;
/** Tensors of this many bytes or more get a staggered start modulo STAGGER_PERIOD. */
export const STAGGER_MIN_BYTES = 64 * 1024;
export const STAGGER_PERIOD = 2048;
/** Offsets modulo STAGGER_PERIOD a large tensor may start at: multiples of STAGGER_PERIOD / this. */
export const STAGGER_SLOTS = 8;
/** Slots to step between ties (3 × 256 = 768 bytes, coprime with the 8 slots, so every slot comes round). */
const TIE_STEP = 3;

/** What the wrapper needs of the Emscripten module behind tfjs-backend-wasm. */
export interface WasmAllocator {
  _malloc(bytes: number): number;
  _free(pointer: number): void;
}

const aligned = new WeakSet<WasmAllocator>();

/** Makes the module's `_malloc` return aligned, staggered offsets from now on (once per module). */
export function alignHeapAllocations(wasm: WasmAllocator): void {
  if (aligned.has(wasm)) return;
  // Emscripten exports each function as a thunk that, on its first call, replaces itself on the module
  // with the raw export. Calling both once first means the functions captured below are the final ones:
  // a thunk called later from inside the wrapper would put the raw `_free` back in its place, and that
  // would then be handed aligned pointers it never allocated.
  wasm._free(wasm._malloc(1));
  const malloc = wasm._malloc;
  const free = wasm._free;
  const slotBytes = STAGGER_PERIOD / STAGGER_SLOTS;
  /** Handed-out offset → the raw block and the slot it holds (-1 for a small tensor). */
  const allocated = new Map<number, { raw: number; slot: number }>();
  const liveInSlot = new Array<number>(STAGGER_SLOTS).fill(0);
  let nextTie = 0;
  const pickSlot = () => {
    let best = nextTie;
    for (let i = 1; i < STAGGER_SLOTS; i++) {
      const s = (nextTie + i * TIE_STEP) % STAGGER_SLOTS;
      if (liveInSlot[s] < liveInSlot[best]) best = s;
    }
    nextTie = (best + TIE_STEP) % STAGGER_SLOTS;
    return best;
  };
  wasm._malloc = (bytes: number) => {
    const large = bytes >= STAGGER_MIN_BYTES;
    const raw = malloc(bytes + (large ? STAGGER_PERIOD : HEAP_ALIGNMENT) - 1) >>> 0;
    if (raw === 0) return 0;
    if (!large) {
      const offset = Math.ceil(raw / HEAP_ALIGNMENT) * HEAP_ALIGNMENT;
      allocated.set(offset, { raw, slot: -1 });
      return offset;
    }
    const slot = pickSlot();
    // The first address at or after raw that is slot × 256 modulo 2 KiB (so also on a cache line).
    const offset = raw + ((((slot * slotBytes - raw) % STAGGER_PERIOD) + STAGGER_PERIOD) % STAGGER_PERIOD);
    allocated.set(offset, { raw, slot });
    liveInSlot[slot]++;
    return offset;
  };
  wasm._free = (pointer: number) => {
    const block = allocated.get(pointer);
    if (block === undefined) return free(pointer);
    allocated.delete(pointer);
    if (block.slot >= 0) liveInSlot[block.slot]--;
    return free(block.raw);
  };
  aligned.add(wasm);
}
