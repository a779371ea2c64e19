import { describe, expect, it } from 'vitest';
import { alignHeapAllocations, HEAP_ALIGNMENT, STAGGER_MIN_BYTES, STAGGER_PERIOD, STAGGER_SLOTS, type WasmAllocator } from './heap-alignment.js';

/**
 * A stand-in for Emscripten's module: a bump allocator handing out 8-byte-aligned offsets (as its
 * malloc does), exported as thunks that replace themselves on the module at their first call (as
 * Emscripten's exports do). It records every raw allocation and free.
 */
function emscriptenLike(): WasmAllocator & { live: Map<number, number>; freed: number[] } {
  let top = 8;
  const live = new Map<number, number>(); // raw block → bytes asked for
  const freed: number[] = [];
  const rawMalloc = (bytes: number) => {
    const p = top;
    top += Math.ceil(bytes / 8) * 8 + 8;
    live.set(p, bytes);
    return p;
  };
  const rawFree = (p: number) => {
    if (!live.delete(p)) throw new Error(`free of ${p}, which malloc never returned`);
    freed.push(p);
  };
  const m = {
    live,
    freed,
    _malloc(bytes: number): number {
      m._malloc = rawMalloc;
      return rawMalloc(bytes);
    },
    _free(p: number): void {
      m._free = rawFree;
      rawFree(p);
    },
  };
  return m;
}

describe('alignHeapAllocations', () => {
  it('hands out 64-byte-aligned offsets with the requested bytes inside the raw block, and frees the raw block', () => {
    const m = emscriptenLike();
    const before = m._malloc(12); // unaligned on purpose: 8
    expect(before % HEAP_ALIGNMENT).not.toBe(0);
    alignHeapAllocations(m);
    const sizes = [1, 4, 60, 64, 100, 4096, 12345];
    const offsets = sizes.map((n) => m._malloc(n));
    for (const p of offsets) expect(p % HEAP_ALIGNMENT).toBe(0);
    // Each aligned block lies inside its own raw block of bytes + 63.
    const raws = [...m.live.keys()].filter((p) => p !== before).sort((a, b) => a - b);
    offsets.forEach((p, i) => {
      expect(p).toBeGreaterThanOrEqual(raws[i]);
      expect(p + sizes[i]).toBeLessThanOrEqual(raws[i] + sizes[i] + HEAP_ALIGNMENT - 1);
    });
    for (const p of offsets) m._free(p);
    // Only the raw blocks were freed (rawFree throws on anything else), and the unaligned tensor made
    // before the wrapper still frees as it was.
    expect([...m.live.keys()]).toEqual([before]);
    m._free(before);
    expect(m.live.size).toBe(0);
  });

  it('survives Emscripten replacing its thunks and is installed once per module', () => {
    const m = emscriptenLike();
    alignHeapAllocations(m);
    const wrapped = m._malloc;
    alignHeapAllocations(m);
    expect(m._malloc).toBe(wrapped);
    const p = m._malloc(10);
    m._free(p);
    expect(m._malloc).toBe(wrapped);
    expect(m._malloc(10) % HEAP_ALIGNMENT).toBe(0);
  });

  /** Where each handed-out tensor lies: inside the raw block malloc returned for it. */
  function expectInsideItsBlock(m: ReturnType<typeof emscriptenLike>, p: number, bytes: number) {
    const block = [...m.live].find(([raw, asked]) => raw <= p && p + bytes <= raw + asked);
    expect(block, `offset ${p} (${bytes} bytes) inside a live raw block`).toBeDefined();
  }
  const residue = (p: number) => p % STAGGER_PERIOD;
  const distance = (a: number, b: number) => {
    const d = (((a - b) % STAGGER_PERIOD) + STAGGER_PERIOD) % STAGGER_PERIOD;
    return Math.min(d, STAGGER_PERIOD - d);
  };
  const slotBytes = STAGGER_PERIOD / STAGGER_SLOTS;

  it('starts large tensors of equal size, which malloc lays end to end, at distinct offsets modulo 2 KiB', () => {
    const m = emscriptenLike();
    alignHeapAllocations(m);
    const bytes = 2 * 1024 * 1024; // MobileNet dw7's activations: without the stagger 64 bytes apart modulo 2 KiB
    const offsets = Array.from({ length: STAGGER_SLOTS }, () => m._malloc(bytes));
    for (const p of offsets) {
      expect(p % HEAP_ALIGNMENT).toBe(0);
      expect(residue(p) % slotBytes).toBe(0);
      expectInsideItsBlock(m, p, bytes);
    }
    // As many distinct starts as there are slots, and each one 512 bytes or more from the one before.
    expect(new Set(offsets.map(residue)).size).toBe(STAGGER_SLOTS);
    for (let i = 1; i < offsets.length; i++) expect(distance(offsets[i], offsets[i - 1])).toBeGreaterThanOrEqual(512);
    // The blocks do not overlap: each tensor's bytes end before the next begins.
    const sorted = [...offsets].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i] - sorted[i - 1]).toBeGreaterThanOrEqual(bytes);
    for (const p of offsets) m._free(p);
    expect(m.live.size).toBe(0);
  });

  it('gives a new large tensor the start fewest live large tensors hold, and frees map back', () => {
    const m = emscriptenLike();
    alignHeapAllocations(m);
    const bytes = STAGGER_MIN_BYTES; // the smallest tensor staggered
    const first = Array.from({ length: STAGGER_SLOTS }, () => m._malloc(bytes));
    // Free the tensor in one slot: the next large tensor takes that start, whatever the rotation says.
    const gone = first[5];
    m._free(gone);
    const next = m._malloc(bytes + 100);
    expect(residue(next)).toBe(residue(gone));
    expectInsideItsBlock(m, next, bytes + 100);
    // A pair made now (every slot holding one) must still not share a start.
    const [x, dy] = [m._malloc(bytes), m._malloc(bytes)];
    expect(distance(x, dy)).toBeGreaterThanOrEqual(512);
    for (const p of [...first.filter((p) => p !== gone), next, x, dy]) m._free(p);
    expect(m.live.size).toBe(0);
  });

  it('leaves tensors under 64 KiB on the next cache line, with 63 bytes of padding', () => {
    const m = emscriptenLike();
    alignHeapAllocations(m);
    const small = STAGGER_MIN_BYTES - 1;
    const p = m._malloc(small);
    expect(p % HEAP_ALIGNMENT).toBe(0);
    expect(m.live.get([...m.live.keys()].at(-1)!)).toBe(small + HEAP_ALIGNMENT - 1);
    const q = m._malloc(STAGGER_MIN_BYTES);
    expect(m.live.get([...m.live.keys()].at(-1)!)).toBe(STAGGER_MIN_BYTES + STAGGER_PERIOD - 1);
    m._free(p);
    m._free(q);
    expect(m.live.size).toBe(0);
  });
});
