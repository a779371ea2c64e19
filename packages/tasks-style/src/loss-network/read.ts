import { openSync, readSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { checkLossNetworkFiles } from './files.js';
import { buildLossNetwork, type InputMapping, type LossNetwork } from './network.js';

/**
 * Reads a TensorFlow.js layers model from a folder (`model.json` and its shard files) and builds the
 * feature extractor for `layers`. Only the shards that hold weights of the layers up to the deepest
 * requested one are read, so a model whose later shards are missing (the MobileNet copy lacks
 * conv_pw_13's kernel) still serves the layers before them. A missing folder, model.json or shard,
 * a shard of the wrong size (see checkLossNetworkFiles), or a weight of the wrong shape is an error
 * naming the file.
 */
export function readLossNetwork(dir: string, layers: readonly string[], input: InputMapping): LossNetwork {
  const { file, topology, weights, sizes } = checkLossNetworkFiles(dir, layers);
  const values = new Map<string, Float32Array>();
  for (const w of weights) values.set(w.name, readRange(dir, w.paths, w.paths.map((p) => sizes.get(p)!), w.offset, w.bytes));
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
