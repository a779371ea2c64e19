import { describe, expect, it } from 'vitest';
import { alignHeapAllocations, HEAP_ALIGNMENT, type WasmAllocator } from './heap-alignment.js';

/**
 * A stand-in for Emscripten's module: a bump allocator handing out 8-byte-aligned offsets (as its
 * malloc does), exported as thunks that replace themselves on the module at their first call (as
 * Emscripten's exports do). It records every raw allocation and free.
 */
function emscriptenLike(): WasmAllocator & { live: Set<number>; freed: number[] } {
  let top = 8;
  const live = new Set<number>();
  const freed: number[] = [];
  const rawMalloc = (bytes: number) => {
    const p = top;
    top += Math.ceil(bytes / 8) * 8 + 8;
    live.add(p);
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
    const raws = [...m.live].filter((p) => p !== before).sort((a, b) => a - b);
    offsets.forEach((p, i) => {
      expect(p).toBeGreaterThanOrEqual(raws[i]);
      expect(p + sizes[i]).toBeLessThanOrEqual(raws[i] + sizes[i] + HEAP_ALIGNMENT - 1);
    });
    for (const p of offsets) m._free(p);
    // Only the raw blocks were freed (rawFree throws on anything else), and the unaligned tensor made
    // before the wrapper still frees as it was.
    expect(m.live).toEqual(new Set([before]));
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
});
