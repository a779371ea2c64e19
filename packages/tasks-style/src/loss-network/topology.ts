/**
 * The part of a TensorFlow.js layers model (`model.json`, Keras topology) that a feature extractor
 * needs: a chain of layers, each fed by the one before, and the weight manifest. Pure (no IO), so
 * the same code serves Node and the browser.
 */

export type LayerSpec =
  | { kind: 'input'; name: string }
  | { kind: 'conv2d'; name: string; filters: number; kernel: [number, number]; strides: [number, number]; padding: 'same' | 'valid'; dilation: [number, number]; useBias: boolean; activation: Activation }
  | { kind: 'depthwise'; name: string; kernel: [number, number]; strides: [number, number]; padding: 'same' | 'valid'; multiplier: number; useBias: boolean; activation: Activation }
  | { kind: 'batchnorm'; name: string; epsilon: number; center: boolean; scale: boolean }
  | { kind: 'activation'; name: string; activation: Activation }
  | { kind: 'pool'; name: string; op: 'max' | 'avg'; size: [number, number]; strides: [number, number]; padding: 'same' | 'valid' }
  | { kind: 'zeropad'; name: string; padding: [[number, number], [number, number]] }
  | { kind: 'identity'; name: string }
  /** A layer class the extractor does not implement: an error only if a requested feature lies beyond it. */
  | { kind: 'unsupported'; name: string; cls: string };

export type Activation = { fn: 'linear' } | { fn: 'relu'; max: number | null } | { fn: 'leaky'; alpha: number };

export interface WeightEntry {
  name: string;
  shape: number[];
  dtype: string;
  /** Shard files of the group this weight is packed in, and its byte offset in their concatenation. */
  paths: string[];
  offset: number;
  bytes: number;
  quantized: boolean;
}

export interface LayersTopology {
  layers: LayerSpec[];
  weights: Map<string, WeightEntry>;
  /** Per shard group: its files and the total bytes its manifest entries take. */
  groups: { paths: string[]; bytes: number }[];
}

type Json = Record<string, unknown>;

/** Parses `model.json`; `source` (its path) names the file in every error. */
export function parseLayersTopology(modelJson: unknown, source: string): LayersTopology {
  const fail = (why: string): never => {
    throw new Error(`loss network ${source}: ${why}`);
  };
  if (!isObj(modelJson)) fail('is not a JSON object');
  const m = modelJson as Json;
  const topo = (isObj(m.modelTopology) ? m.modelTopology : fail("has no 'modelTopology' (is it a TensorFlow.js layers model?)")) as Json;
  const cfg = (isObj(topo.model_config) ? topo.model_config : topo) as Json;
  const inner = cfg.config;
  const rawLayers = Array.isArray(inner) ? inner : isObj(inner) && Array.isArray((inner as Json).layers) ? ((inner as Json).layers as unknown[]) : fail('has no list of layers in modelTopology.model_config.config');
  const sequential = cfg.class_name === 'Sequential';
  const layers: LayerSpec[] = [];
  let previous: string | null = null;
  for (const raw of rawLayers as unknown[]) {
    if (!isObj(raw)) fail('a layer entry is not an object');
    const l = raw as Json;
    const c = (l.config ?? {}) as Json;
    const name = String(l.name ?? c.name ?? fail('a layer has no name'));
    if (!sequential) {
      // A functional model: each layer must take exactly the previous layer's output.
      const inbound = l.inbound_nodes as unknown[][][] | undefined;
      const from = inbound && inbound.length ? inbound.flat().map((n) => (n as unknown[])[0]) : [];
      if (previous === null ? from.length !== 0 : from.length !== 1 || from[0] !== previous)
        if (l.class_name !== 'InputLayer') fail(`layer '${name}' is not fed by the layer before it ('${previous}'); only chains of layers are supported`);
    } else if (previous === null && l.class_name !== 'InputLayer') layers.push({ kind: 'input', name: 'input' });
    layers.push(parseLayer(String(l.class_name), name, c, fail));
    previous = name;
  }
  const weights = new Map<string, WeightEntry>();
  const groups: LayersTopology['groups'] = [];
  const manifest = Array.isArray(m.weightsManifest) ? (m.weightsManifest as unknown[]) : fail("has no 'weightsManifest'");
  for (const g of manifest as Json[]) {
    const paths = Array.isArray(g.paths) ? (g.paths as unknown[]).map(String) : fail('a weightsManifest group has no paths');
    let offset = 0;
    for (const w of (Array.isArray(g.weights) ? g.weights : []) as Json[]) {
      const shape = (w.shape as number[]) ?? [];
      const dtype = String(w.dtype ?? 'float32');
      const quantization = w.quantization as Json | undefined;
      const per = quantization ? (quantization.dtype === 'uint8' ? 1 : 2) : dtype === 'float32' || dtype === 'int32' ? 4 : 1;
      const bytes = shape.reduce((a, b) => a * b, 1) * per;
      weights.set(String(w.name), { name: String(w.name), shape, dtype, paths, offset, bytes, quantized: !!quantization });
      offset += bytes;
    }
    groups.push({ paths, bytes: offset });
  }
  return { layers, weights, groups };
}

function parseLayer(cls: string, name: string, c: Json, fail: (why: string) => never): LayerSpec {
  // An activation the extractor lacks (a classifier's softmax) is, like an unknown class, an error
  // only when a requested feature lies beyond it.
  const act = ['Conv2D', 'DepthwiseConv2D', 'Activation'].includes(cls) ? activation(c.activation) : { fn: 'linear' as const };
  if (act === null) return { kind: 'unsupported', name, cls: `${cls} with activation '${String(c.activation)}'` };
  const pair = (v: unknown, what: string): [number, number] => {
    const a = Array.isArray(v) ? v : [v, v];
    if (a.length !== 2 || !a.every((x) => Number.isInteger(x) && (x as number) > 0)) fail(`layer '${name}': ${what} must be two positive integers, got ${JSON.stringify(v)}`);
    return [a[0] as number, a[1] as number];
  };
  const padding = (): 'same' | 'valid' => {
    const p = c.padding ?? 'valid';
    if (p !== 'same' && p !== 'valid') fail(`layer '${name}': padding '${String(p)}' is not supported`);
    return p as 'same' | 'valid';
  };
  const fmt = c.data_format ?? 'channels_last';
  if (fmt !== 'channels_last') fail(`layer '${name}': data_format '${String(fmt)}' is not supported (channels_last only)`);
  switch (cls) {
    case 'InputLayer':
      return { kind: 'input', name };
    case 'Conv2D':
      return {
        kind: 'conv2d',
        name,
        filters: Number(c.filters),
        kernel: pair(c.kernel_size, 'kernel_size'),
        strides: pair(c.strides ?? 1, 'strides'),
        padding: padding(),
        dilation: pair(c.dilation_rate ?? 1, 'dilation_rate'),
        useBias: c.use_bias !== false,
        activation: act,
      };
    case 'DepthwiseConv2D':
      return {
        kind: 'depthwise',
        name,
        kernel: pair(c.kernel_size, 'kernel_size'),
        strides: pair(c.strides ?? 1, 'strides'),
        padding: padding(),
        multiplier: Number(c.depth_multiplier ?? 1),
        useBias: c.use_bias !== false,
        activation: act,
      };
    case 'BatchNormalization': {
      const axis = c.axis ?? -1;
      if (axis !== -1 && axis !== 3 && !(Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === 3)))
        fail(`layer '${name}': batch normalisation over axis ${JSON.stringify(axis)} is not supported (channels only)`);
      return { kind: 'batchnorm', name, epsilon: Number(c.epsilon ?? 1e-3), center: c.center !== false, scale: c.scale !== false };
    }
    case 'Activation':
      return { kind: 'activation', name, activation: act };
    case 'ReLU':
      return { kind: 'activation', name, activation: { fn: 'relu', max: c.max_value == null ? null : Number(c.max_value) } };
    case 'LeakyReLU':
      return { kind: 'activation', name, activation: { fn: 'leaky', alpha: Number(c.alpha ?? 0.3) } };
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      const size = pair(c.pool_size ?? 2, 'pool_size');
      return { kind: 'pool', name, op: cls === 'MaxPooling2D' ? 'max' : 'avg', size, strides: c.strides == null ? size : pair(c.strides, 'strides'), padding: padding() };
    }
    case 'ZeroPadding2D': {
      const p = c.padding ?? 1;
      const sides = (v: unknown): [number, number] => (Array.isArray(v) ? [Number(v[0]), Number(v[1])] : [Number(v), Number(v)]);
      const rows = Array.isArray(p) ? sides(p[0]) : sides(p);
      const cols = Array.isArray(p) ? sides(p[1]) : sides(p);
      return { kind: 'zeropad', name, padding: [rows, cols] };
    }
    case 'Dropout':
      return { kind: 'identity', name };
    default:
      // Layers past the deepest feature (pooling heads, dense classifiers) are never built.
      return { kind: 'unsupported', name, cls };
  }
}

function activation(v: unknown): Activation | null {
  switch (v ?? 'linear') {
    case 'linear':
      return { fn: 'linear' };
    case 'relu':
      return { fn: 'relu', max: null };
    case 'relu6':
      return { fn: 'relu', max: 6 };
    default:
      return null;
  }
}

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Keras weight names of a layer, in the order the network needs them. */
export function weightNames(l: LayerSpec): string[] {
  switch (l.kind) {
    case 'conv2d':
      return [`${l.name}/kernel`, ...(l.useBias ? [`${l.name}/bias`] : [])];
    case 'depthwise':
      return [`${l.name}/depthwise_kernel`, ...(l.useBias ? [`${l.name}/bias`] : [])];
    case 'batchnorm':
      return [...(l.scale ? [`${l.name}/gamma`] : []), ...(l.center ? [`${l.name}/beta`] : []), `${l.name}/moving_mean`, `${l.name}/moving_variance`];
    default:
      return [];
  }
}

/** The chain of layers that computing `names` needs: up to the deepest, and the weights it reads. */
export function requiredLayers(topology: LayersTopology, names: readonly string[], source: string): { layers: LayerSpec[]; weights: WeightEntry[] } {
  if (names.length === 0) throw new Error(`loss network ${source}: no feature layers requested`);
  const index = (n: string): number => {
    const i = topology.layers.findIndex((l) => l.name === n);
    if (i < 0) throw new Error(`loss network ${source}: has no layer '${n}'; its layers are ${topology.layers.map((l) => l.name).join(', ')}`);
    return i;
  };
  const deepest = Math.max(...names.map(index));
  const layers = topology.layers.slice(0, deepest + 1);
  const weights: WeightEntry[] = [];
  for (const l of layers) {
    if (l.kind === 'unsupported') throw new Error(`loss network ${source}: layer '${l.name}' (${l.cls}) lies before a requested feature and is not supported`);
    for (const w of weightNames(l)) {
      const e = topology.weights.get(w);
      if (!e) throw new Error(`loss network ${source}: the weights manifest has no '${w}' (needed by layer '${l.name}')`);
      if (e.quantized || e.dtype !== 'float32') throw new Error(`loss network ${source}: weight '${w}' is ${e.quantized ? 'quantized' : e.dtype}; only float32 weights are supported`);
      weights.push(e);
    }
  }
  return { layers, weights };
}
