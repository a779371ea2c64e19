import { buildLossNetwork, type InputMapping, type LossNetwork } from './network.js';
import { parseLayersTopology, requiredLayers } from './topology.js';
import { checkedShardSizes, weightValues } from './weights.js';

/**
 * The feature extractor of `readLossNetwork`, built from bytes already in memory: the parsed
 * `model.json` and the shard files the requested layers need, by their manifest paths (the explorer
 * page fetches them from its server). The same topology parsing, byte ranges and weight checks as in
 * Node; a shard that is missing or shorter than the manifest says is an error naming it.
 */
export function lossNetworkFromBytes(modelJson: unknown, shards: ReadonlyMap<string, Uint8Array>, layers: readonly string[], input: InputMapping, source: string): LossNetwork {
  const topology = parseLayersTopology(modelJson, source);
  const { weights } = requiredLayers(topology, layers, source);
  const sizes = checkedShardSizes(topology, weights, source, (p, w) => {
    const bytes = shards.get(p);
    if (!bytes) throw new Error(`loss network ${source}: weight file ${p} was not given (it holds '${w.name}', needed for the requested layers)`);
    return bytes.length;
  });
  const values = weightValues(weights, sizes, (path, from, length, into, at) => into.set(shards.get(path)!.subarray(from, from + length), at));
  return buildLossNetwork(topology, values, layers, input, source);
}
