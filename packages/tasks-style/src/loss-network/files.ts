import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type LayersTopology, parseLayersTopology, requiredLayers, type WeightEntry } from './topology.js';
import { checkedShardSizes } from './weights.js';

/** What `checkLossNetworkFiles` found: the topology, the weights the layers need, and each shard's size. */
export interface LossNetworkFiles {
  file: string;
  topology: LayersTopology;
  weights: WeightEntry[];
  /** Size in bytes of every shard the needed weights live in, by path relative to the folder. */
  sizes: Map<string, number>;
}

/**
 * Checks a TensorFlow.js layers model folder for the layers `layers` need, without reading a weight
 * or loading tfjs (so the CLI can check it before any worker starts): model.json is there and
 * parses, the chain reaches every layer, and each shard holding a needed weight is there with the
 * size the manifest gives. Every failure is one error naming the file.
 */
export function checkLossNetworkFiles(dir: string, layers: readonly string[]): LossNetworkFiles {
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
  const sizes = checkedShardSizes(
    topology,
    weights,
    dir,
    (p, w) => {
      const shard = join(dir, p);
      if (!existsSync(shard)) throw new Error(`loss network ${dir}: weight file ${shard} is missing (it holds '${w.name}', needed for the requested layers)`);
      return statSync(shard).size;
    },
    (p) => join(dir, p),
  );
  return { file, topology, weights, sizes };
}
