import type { LayersTopology, WeightEntry } from './topology.js';

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

/**
 * Each shard's byte length, by path, for the shards `weights` live in, checked against the manifest:
 * a group whose shards add up to another length than its manifest entries take is one error naming
 * them (truncated, or from another model). `sizeOf` gives a shard's length, or throws naming it where
 * it is missing; `where` spells a shard in messages (Node: its file's path); `source` names the model.
 * Node (files.ts, from the files' sizes) and the browser (from-bytes.ts, from the fetched bytes) check
 * the same way.
 */
export function checkedShardSizes(
  topology: LayersTopology,
  weights: readonly WeightEntry[],
  source: string,
  sizeOf: (path: string, weight: WeightEntry) => number,
  where: (path: string) => string = (p) => p,
): Map<string, number> {
  const groupSizes = new Map(topology.groups.map((g) => [g.paths.join('\u0000'), g.bytes]));
  const sizes = new Map<string, number>();
  const checked = new Set<string>();
  for (const w of weights) {
    for (const p of w.paths) if (!sizes.has(p)) sizes.set(p, sizeOf(p, w));
    const key = w.paths.join('\u0000');
    if (checked.has(key)) continue;
    const total = w.paths.reduce((a, p) => a + sizes.get(p)!, 0);
    const expected = groupSizes.get(key)!;
    if (total !== expected)
      throw new Error(`loss network ${source}: weight file${w.paths.length > 1 ? 's' : ''} ${w.paths.map(where).join(', ')} hold${w.paths.length > 1 ? '' : 's'} ${total} bytes, the manifest in model.json expects ${expected} (truncated or from another model)`);
    checked.add(key);
  }
  return sizes;
}
