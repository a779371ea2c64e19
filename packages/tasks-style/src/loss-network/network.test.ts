// The feature extractor against tfjs-layers' own Keras loader (an independent implementation of the
// same layers), on a small model written here and on the data root's MobileNet and Darknet; and the
// errors for missing, truncated and mismatched weight files.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { resolveDataRoot } from '@yoto/core';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOSS_NETWORKS } from './presets.js';
import { readLossNetwork } from './read.js';
import { lossNetworkFromBytes } from './from-bytes.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Writes a tfjs layers model folder: model.json plus one shard file per weight. */
async function writeModel(model: tf.LayersModel): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'yoto-lossnet-'));
  dirs.push(dir);
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const specs = a.weightSpecs!;
      const data = new Uint8Array(a.weightData as ArrayBuffer);
      const manifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] = [];
      let offset = 0;
      for (let g = 0; g < specs.length; g++) {
        const group = specs.slice(g, g + 1);
        const bytes = group.reduce((s, w) => s + w.shape.reduce((x, y) => x * y, 1) * 4, 0);
        writeFileSync(join(dir, `group${g + 1}-shard1of1`), data.subarray(offset, offset + bytes));
        manifest.push({ paths: [`group${g + 1}-shard1of1`], weights: group });
        offset += bytes;
      }
      writeFileSync(join(dir, 'model.json'), JSON.stringify({ modelTopology: a.modelTopology, weightsManifest: manifest }));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return dir;
}

function smallModel(): tf.LayersModel {
  const input = tf.input({ shape: [null, null, 3] as unknown as number[] });
  let h = tf.layers.conv2d({ name: 'c1', filters: 5, kernelSize: 3, strides: 2, padding: 'same', useBias: false }).apply(input) as tf.SymbolicTensor;
  h = tf.layers.batchNormalization({ name: 'bn1', epsilon: 1e-3 }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.activation({ name: 'r1', activation: 'relu6' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.depthwiseConv2d({ name: 'dw', kernelSize: 3, padding: 'same', useBias: false }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.leakyReLU({ name: 'lr', alpha: 0.1 }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.maxPooling2d({ name: 'mp', poolSize: 2, strides: 2, padding: 'same' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.conv2d({ name: 'c2', filters: 4, kernelSize: 1, activation: 'relu' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(h) as tf.SymbolicTensor;
  const out = tf.layers.activation({ name: 'soft', activation: 'softmax' }).apply(h) as tf.SymbolicTensor;
  const m = tf.model({ inputs: input, outputs: out });
  // Non-trivial batch-norm statistics, so that folding them is exercised.
  for (const w of m.getLayer('bn1').weights) w.write(tf.randomUniform(w.shape as number[], 0.5, 1.5, 'float32', w.name.length));
  return m;
}

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
}

describe('readLossNetwork', () => {
  it('matches tfjs-layers activation for activation on a small conv/bn/relu6/depthwise/leaky/maxpool chain', async () => {
    const model = smallModel();
    const dir = await writeModel(model);
    const net = readLossNetwork(dir, ['r1', 'mp', 'c2'], 'unit');
    const x = tf.randomUniform([2, 12, 10, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const f = net.features(x, ['r1', 'mp', 'c2']);
    for (const name of ['r1', 'mp', 'c2']) {
      const ref = tf.model({ inputs: model.inputs, outputs: model.getLayer(name).output as tf.SymbolicTensor }).predict(x) as tf.Tensor;
      expect(f[name].shape).toEqual(ref.shape);
      expect(maxDiff(f[name], ref)).toBeLessThan(1e-5);
    }
    // 'symmetric' is the same network on 2x − 1.
    const sym = readLossNetwork(dir, ['c2'], 'symmetric');
    expect(maxDiff(sym.features(x, ['c2']).c2, net.features(tf.sub(tf.mul(x, 2), 1) as tf.Tensor4D, ['c2']).c2)).toBe(0);
    // The classifier head (global pooling, softmax) is never needed, so it may be unsupported.
    expect(() => readLossNetwork(dir, ['soft'], 'unit')).toThrow(/layer 'gap' \(GlobalAveragePooling2D\) lies before a requested feature and is not supported/);
    expect(() => readLossNetwork(dir, ['nope'], 'unit')).toThrow(`loss network ${join(dir, 'model.json')}: has no layer 'nope'; its layers are`);
  });

  it('names the file when model.json or a shard is missing, truncated or of another model', async () => {
    const dir = await writeModel(smallModel());
    const manifest = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).weightsManifest as { paths: string[]; weights: { name: string }[] }[];
    const shardOf = (weight: string): string => manifest.find((g) => g.weights[0].name === weight)!.paths[0];
    const copy = (): string => {
      const d = mkdtempSync(join(tmpdir(), 'yoto-lossnet-bad-'));
      dirs.push(d);
      for (const f of ['model.json', ...manifest.map((g) => g.paths[0])]) copyFileSync(join(dir, f), join(d, f));
      return d;
    };
    expect(() => readLossNetwork(join(dir, 'absent'), ['c2'], 'unit')).toThrow(`loss network: ${join(dir, 'absent', 'model.json')} not found`);

    const missing = copy();
    rmSync(join(missing, shardOf('c2/kernel')));
    expect(() => readLossNetwork(missing, ['c2'], 'unit')).toThrow(`weight file ${join(missing, shardOf('c2/kernel'))} is missing (it holds 'c2/kernel'`);
    // Layers before the missing shard still load (as MobileNet's do without conv_pw_13).
    expect(readLossNetwork(missing, ['mp'], 'unit').layers.at(-1)).toBe('mp');

    const truncated = copy();
    truncateSync(join(truncated, shardOf('dw/depthwise_kernel')), 10);
    expect(() => readLossNetwork(truncated, ['mp'], 'unit')).toThrow(`weight file ${join(truncated, shardOf('dw/depthwise_kernel'))} holds 10 bytes, the manifest in model.json expects 180`);

    const mismatched = copy();
    const json = JSON.parse(readFileSync(join(mismatched, 'model.json'), 'utf8'));
    // A topology that disagrees with its weights: c1 declared with 4 filters, its kernel holds 5.
    (json.modelTopology.model_config ?? json.modelTopology).config.layers[1].config.filters = 4;
    writeFileSync(join(mismatched, 'model.json'), JSON.stringify(json));
    expect(() => readLossNetwork(mismatched, ['r1'], 'unit')).toThrow(`loss network ${join(mismatched, 'model.json')}: weight 'c1/kernel' has shape [3, 3, 3, 5], but the layers before it need [3, 3, 3, 4]`);

    const garbage = copy();
    writeFileSync(join(garbage, 'model.json'), '{"modelTopology": ');
    expect(() => readLossNetwork(garbage, ['r1'], 'unit')).toThrow(`loss network ${join(garbage, 'model.json')}: is not valid JSON`);
  });
});

describe('lossNetworkFromBytes (the browser\'s path)', () => {
  it('gives exactly the network read from the files, and names a shard that is missing or short', async () => {
    const dir = await writeModel(smallModel());
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const shards = new Map((json.weightsManifest as { paths: string[] }[]).flatMap((g) => g.paths).map((p) => [p, new Uint8Array(readFileSync(join(dir, p)))]));
    const x = tf.randomUniform([1, 12, 10, 3], 0, 1, 'float32', 9) as tf.Tensor4D;
    const fromFiles = readLossNetwork(dir, ['c2'], 'symmetric').features(x, ['c2']).c2;
    expect(maxDiff(lossNetworkFromBytes(json, shards, ['c2'], 'symmetric', 'page').features(x, ['c2']).c2, fromFiles)).toBe(0);
    const kernel = (json.weightsManifest as { paths: string[]; weights: { name: string }[] }[]).find((g) => g.weights[0].name === 'c2/kernel')!.paths[0];
    const without = new Map(shards);
    without.delete(kernel);
    expect(() => lossNetworkFromBytes(json, without, ['c2'], 'unit', 'page')).toThrow(`loss network page: weight file ${kernel} was not given (it holds 'c2/kernel'`);
    expect(() => lossNetworkFromBytes(json, new Map([...shards, [kernel, shards.get(kernel)!.subarray(0, 8)]]), ['c2'], 'unit', 'page')).toThrow(`loss network page: weight file ${kernel} holds 8 bytes, the manifest in model.json expects 80`);
  });
});

/**
 * The data root's network truncated at `upTo` as a tfjs-layers model, built from the same files by
 * tfjs's own Keras deserialiser.
 */
async function layersReference(dir: string, upTo: string): Promise<tf.LayersModel> {
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const cfg = json.modelTopology.model_config.config;
  const end = cfg.layers.findIndex((l: { name: string }) => l.name === upTo);
  cfg.layers = cfg.layers.slice(0, end + 1);
  cfg.output_layers = [[upTo, 0, 0]];
  // Any input size (the saved model fixes 224×224).
  cfg.layers[0].config.batch_input_shape = [null, null, null, 3];
  const kept = new Set(cfg.layers.map((l: { name: string }) => l.name));
  const specs: tf.io.WeightsManifestEntry[] = [];
  const chunks: Uint8Array[] = [];
  for (const g of json.weightsManifest as { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[]) {
    if (!g.weights.some((w) => kept.has(w.name.split('/')[0]))) continue;
    const data = new Uint8Array(Buffer.concat(g.paths.map((p) => readFileSync(join(dir, p)))));
    let offset = 0;
    for (const w of g.weights) {
      const bytes = w.shape.reduce((a, b) => a * b, 1) * 4;
      if (kept.has(w.name.split('/')[0])) {
        specs.push(w);
        chunks.push(data.subarray(offset, offset + bytes));
      }
      offset += bytes;
    }
  }
  const weightData = new Uint8Array(Buffer.concat(chunks)).buffer;
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData }));
}

for (const [key, layer] of [['mobilenet', 'conv_pw_5_relu'], ['darknet', 'leaky_re_lu_8']] as const) {
  const spec = LOSS_NETWORKS[key];
  const dir = join(resolveDataRoot(), spec.path);
  const present = existsSync(join(dir, 'model.json'));
  describe.skipIf(!present)(`the data root's ${key}${present ? '' : ` (skipped: dataset 'weights/${spec.path.split('/')[1]}' not under the data root ${resolveDataRoot()})`}`, () => {
    it(`gives tfjs-layers' activations at ${layer} on a 32×32 input`, async () => {
      const net = readLossNetwork(dir, [layer], spec.input);
      const ref = await layersReference(dir, layer);
      const x = tf.randomUniform([1, 32, 32, 3], 0, 1, 'float32', 11) as tf.Tensor4D;
      const mine = net.features(x, [layer])[layer];
      const theirs = ref.predict(spec.input === 'symmetric' ? tf.sub(tf.mul(x, 2), 1) : x) as tf.Tensor;
      expect(mine.shape).toEqual(theirs.shape);
      const scale = tf.max(tf.abs(theirs)).dataSync()[0];
      expect(scale).toBeGreaterThan(0.1);
      expect(maxDiff(mine, theirs) / scale).toBeLessThan(1e-4);
      net.dispose();
    });
    if (key === 'mobilenet')
      it('refuses conv_pw_13 (its kernel shard is absent from this copy), naming the file', () => {
        expect(() => readLossNetwork(dir, ['conv_pw_13_relu'], 'symmetric')).toThrow(`weight file ${join(dir, 'group37-shard1of1')} is missing (it holds 'conv_pw_13/kernel'`);
      });
  });
}
