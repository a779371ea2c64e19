import { existsSync, openSync, readFileSync, readSync, closeSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildLossNetwork, type InputMapping, type LossNetwork, requiredLayers } from './network.js';
import { parseLayersTopology } from './topology.js';

/**
 * Reads a TensorFlow.js layers model from a folder (`model.json` and its shard files) and builds the
 * feature extractor for `layers`. Only the shards that hold weights of the layers up to the deepest
 * requested one are read, so a model whose later shards are missing (the MobileNet copy lacks
 * conv_pw_13's kernel) still serves the layers before them. A missing folder, model.json or shard,
 * a shard of the wrong size, or a weight of the wrong shape is an error naming the file.
 */
export function readLossNetwork(dir: string, layers: readonly string[], input: InputMapping): LossNetwork {
  const file = join(dir, 'model.json');
  if (!existsSync(file)) throw new Error(`loss network: ${file} not found (a TensorFlow.js layers model folder holds model.json and its weight shards)`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`loss network ${file}: is not valid JSON (${(e as Error).message})`);
  }
  const topology = parseLayersTopology(json, file);
  const { weights } = requiredLayers(topology, layers, file);
  const values = new Map<string, Float32Array>();
  const groupSizes = new Map(topology.groups.map((g) => [g.paths.join('\u0000'), g.bytes]));
  const checked = new Set<string>();
  for (const w of weights) {
    const key = w.paths.join('\u0000');
    const sizes = w.paths.map((p) => {
      const shard = join(dir, p);
      if (!existsSync(shard)) throw new Error(`loss network ${dir}: weight file ${shard} is missing (it holds '${w.name}', needed for the requested layers)`);
      return statSync(shard).size;
    });
    if (!checked.has(key)) {
      const total = sizes.reduce((a, b) => a + b, 0);
      const expected = groupSizes.get(key)!;
      if (total !== expected)
        throw new Error(`loss network ${dir}: weight file${w.paths.length > 1 ? 's' : ''} ${w.paths.map((p) => join(dir, p)).join(', ')} hold${w.paths.length > 1 ? '' : 's'} ${total} bytes, the manifest in model.json expects ${expected} (truncated or from another model)`);
      checked.add(key);
    }
    values.set(w.name, readRange(dir, w.paths, sizes, w.offset, w.bytes));
  }
  return buildLossNetwork(topology, values, layers, input, file);
}

/** Bytes [offset, offset+length) of the concatenation of `paths`, as float32. */
function readRange(dir: string, paths: string[], sizes: number[], offset: number, length: number): Float32Array {
  const out = new Uint8Array(length);
  let start = 0;
  let filled = 0;
  for (let i = 0; i < paths.length && filled < length; i++) {
    const end = start + sizes[i];
    if (offset + filled < end) {
      const fd = openSync(join(dir, paths[i]), 'r');
      try {
        const from = offset + filled - start;
        const n = Math.min(length - filled, sizes[i] - from);
        readSync(fd, out, filled, n, from);
        filled += n;
      } finally {
        closeSync(fd);
      }
    }
    start = end;
  }
  return new Float32Array(out.buffer, 0, length / 4);
}
