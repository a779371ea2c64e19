import { Rng } from '@yoto/core';

/**
 * A 32-bit seed derived from several integers (run seed, step, stream id …), so that each
 * (seed, step, purpose) gets its own independent Rng without any state carried between steps:
 * that is what makes a batch a pure function of its arguments, and a resumed run identical.
 */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    if (!Number.isFinite(p)) throw new Error(`mixSeed: parts must be finite numbers, got ${p}`);
    // Two 32-bit halves so steps beyond 2^32 still differ.
    for (const word of [Math.floor(p) >>> 0, Math.floor(p / 4294967296) >>> 0]) {
      h = Math.imul(h ^ word, 0x01000193);
      h ^= h >>> 15;
      h = Math.imul(h, 0x2c1b3c6d);
      h ^= h >>> 12;
    }
  }
  return h >>> 0;
}

export function streamRng(...parts: number[]): Rng {
  return new Rng(mixSeed(...parts));
}

/** Stream ids: one per purpose, so the data order never shares draws with the noise. */
export const STREAM = { permutation: 1, noise: 2, evalNoise: 3, prior: 4 } as const;
