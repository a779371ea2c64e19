import { buildLossNetwork, type InputMapping, type LossNetwork } from './network.js';
import { parseLayersTopology, requiredLayers } from './topology.js';
import { weightValues } from './weights.js';

/**
 * The feature extractor of `readLossNetwork`, built from bytes already in memory: the parsed
 * `model.json` and the shard files the requested layers need, by their manifest paths (the explorer
 * page fetches them from its server). The same topology parsing, byte ranges and weight checks as in
 * Node; a shard that is missing or shorter than the manifest says is an error naming it.
 */
export function lossNetworkFromBytes(modelJson: unknown, shards: ReadonlyMap<string, Uint8Array>, layers: readonly string[], input: InputMapping, source: string): LossNetwork {
  const topology = parseLayersTopology(modelJson, source);
  const { weights } = requiredLayers(topology, layers, source);
  const sizes = new Map<string, number>();
  for (const w of weights) {
    for (const p of w.paths) {
      const bytes = shards.get(p);
      if (!bytes) throw new Error(`loss network ${source}: weight file ${p} was not given (it holds '${w.name}', needed for the requested layers)`);
      sizes.set(p, bytes.length);
    }
    const total = w.paths.reduce((a, p) => a + sizes.get(p)!, 0);
    const expected = topology.groups.find((g) => g.paths.join('\u0000') === w.paths.join('\u0000'))?.bytes;
    if (total !== expected) throw new Error(`loss network ${source}: weight file${w.paths.length > 1 ? 's' : ''} ${w.paths.join(', ')} hold ${total} bytes, the manifest expects ${expected} (truncated or from another model)`);
  }
  const values = weightValues(weights, sizes, (path, from, length, into, at) => into.set(shards.get(path)!.subarray(from, from + length), at));
  return buildLossNetwork(topology, values, layers, input, source);
}
