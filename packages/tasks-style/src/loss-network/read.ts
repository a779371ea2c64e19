import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { checkLossNetworkFiles } from './files.js';
import { buildLossNetwork, type InputMapping, type LossNetwork } from './network.js';
import { weightValues } from './weights.js';

/**
 * Reads a TensorFlow.js layers model from a folder (`model.json` and its shard files) and builds the
 * feature extractor for `layers`. Only the shards that hold weights of the layers up to the deepest
 * requested one are read, so a model whose later shards are missing (the MobileNet copy lacks
 * conv_pw_13's kernel) still serves the layers before them. A missing folder, model.json or shard,
 * a shard of the wrong size (see checkLossNetworkFiles), or a weight of the wrong shape is an error
 * naming the file. The browser builds the same network from fetched bytes (lossNetworkFromBytes).
 */
export function readLossNetwork(dir: string, layers: readonly string[], input: InputMapping): LossNetwork {
  const { file, topology, weights, sizes } = checkLossNetworkFiles(dir, layers);
  const values = weightValues(weights, sizes, (path, from, length, into, at) => {
    const fd = openSync(join(dir, path), 'r');
    try {
      readSync(fd, into, at, length, from);
    } finally {
      closeSync(fd);
    }
  });
  return buildLossNetwork(topology, values, layers, input, file);
}
