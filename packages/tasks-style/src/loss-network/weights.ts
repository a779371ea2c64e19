import type { WeightEntry } from './topology.js';

/**
 * Reads `length` bytes of shard `path`, from byte `from`, into `into` at `at`. Node reads the file
 * (read.ts), the browser copies from the shard bytes it fetched (from-bytes.ts).
 */
export type ShardReader = (path: string, from: number, length: number, into: Uint8Array, at: number) => void;

/**
 * The float32 values of `weights`, each taken from its byte range of the concatenation of its
 * group's shards (`sizes`: each shard's byte length). Pure apart from `read`, so Node and the
 * browser cut the same ranges.
 */
export function weightValues(weights: readonly WeightEntry[], sizes: ReadonlyMap<string, number>, read: ShardReader): Map<string, Float32Array> {
  const values = new Map<string, Float32Array>();
  for (const w of weights) {
    const out = new Uint8Array(w.bytes);
    let start = 0;
    let filled = 0;
    for (let i = 0; i < w.paths.length && filled < w.bytes; i++) {
      const size = sizes.get(w.paths[i])!;
      const end = start + size;
      if (w.offset + filled < end) {
        const from = w.offset + filled - start;
        const n = Math.min(w.bytes - filled, size - from);
        read(w.paths[i], from, n, out, filled);
        filled += n;
      }
      start = end;
    }
    values.set(w.name, new Float32Array(out.buffer, 0, w.bytes / 4));
  }
  return values;
}
