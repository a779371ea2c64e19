import * as tf from '@tensorflow/tfjs';
import { type Activation, type LayerSpec, type LayersTopology, requiredLayers } from './topology.js';

/**
 * How RGB in [0, 1] is mapped to what the network was trained on: 'unit' keeps [0, 1] (Darknet),
 * 'symmetric' maps to [−1, 1] (MobileNet), 'caffe' is Keras VGG's BGR minus the ImageNet mean on 0–255.
 */
export type InputMapping = 'unit' | 'symmetric' | 'caffe';
export const INPUT_MAPPINGS: readonly InputMapping[] = ['unit', 'symmetric', 'caffe'];

/** A frozen feature extractor: activations of named layers for images in [0, 1]. */
export interface LossNetwork {
  readonly source: string;
  readonly input: InputMapping;
  /** Every layer in the chain up to the deepest one requested, in order. */
  readonly layers: readonly string[];
  /** Activations of `names` (each a layer of the chain) for x ∈ [0, 1]^[b, h, w, 3]. */
  features(x: tf.Tensor4D, names: readonly string[]): Record<string, tf.Tensor4D>;
  dispose(): void;
}


/**
 * Builds the extractor from the topology and the values of the weights `requiredLayers` lists.
 * Every weight's shape is checked against the chain (a model.json that disagrees with its own
 * layers, or weights of another model, is an error naming the weight). Batch norm is folded into one
 * scale and shift per channel; the weights are constants, never trained.
 */
export function buildLossNetwork(topology: LayersTopology, values: ReadonlyMap<string, Float32Array>, names: readonly string[], input: InputMapping, source: string): LossNetwork {
  if (!INPUT_MAPPINGS.includes(input)) throw new Error(`loss network ${source}: input mapping must be one of ${INPUT_MAPPINGS.join(', ')}, got '${String(input)}'`);
  const { layers } = requiredLayers(topology, names, source);
  const held: tf.Tensor[] = [];
  const tensor = (name: string, shape: number[]): tf.Tensor => {
    const e = topology.weights.get(name)!;
    const v = values.get(name);
    if (!v) throw new Error(`loss network ${source}: no values were read for weight '${name}'`);
    if (e.shape.length !== shape.length || e.shape.some((d, i) => d !== shape[i]))
      throw new Error(`loss network ${source}: weight '${name}' has shape [${e.shape.join(', ')}], but the layers before it need [${shape.join(', ')}]`);
    const t = tf.tensor(v, shape, 'float32');
    held.push(t);
    return t;
  };
  type Op = (x: tf.Tensor4D) => tf.Tensor4D;
  const ops: { name: string; op: Op }[] = [];
  let channels = 3;
  for (const l of layers) {
    switch (l.kind) {
      case 'input':
      case 'identity':
        ops.push({ name: l.name, op: (x) => x });
        break;
      case 'conv2d': {
        const w = tensor(`${l.name}/kernel`, [...l.kernel, channels, l.filters]) as tf.Tensor4D;
        const b = l.useBias ? tensor(`${l.name}/bias`, [l.filters]) : null;
        const act = activationFn(l.activation);
        ops.push({ name: l.name, op: (x) => act(b ? tf.add(tf.conv2d(x, w, l.strides, l.padding, 'NHWC', l.dilation), b) : tf.conv2d(x, w, l.strides, l.padding, 'NHWC', l.dilation)) });
        channels = l.filters;
        break;
      }
      case 'depthwise': {
        const w = tensor(`${l.name}/depthwise_kernel`, [...l.kernel, channels, l.multiplier]) as tf.Tensor4D;
        channels *= l.multiplier;
        const b = l.useBias ? tensor(`${l.name}/bias`, [channels]) : null;
        const act = activationFn(l.activation);
        ops.push({ name: l.name, op: (x) => act(b ? tf.add(tf.depthwiseConv2d(x, w, l.strides, l.padding), b) : tf.depthwiseConv2d(x, w, l.strides, l.padding)) });
        break;
      }
      case 'batchnorm': {
        const read = (suffix: string): Float32Array => {
          tensor(`${l.name}/${suffix}`, [channels]);
          return values.get(`${l.name}/${suffix}`)!;
        };
        const gamma = l.scale ? read('gamma') : new Float32Array(channels).fill(1);
        const beta = l.center ? read('beta') : new Float32Array(channels);
        const mean = read('moving_mean');
        const variance = read('moving_variance');
        const scale = new Float32Array(channels);
        const shift = new Float32Array(channels);
        for (let k = 0; k < channels; k++) {
          if (!(variance[k] >= 0) || !Number.isFinite(mean[k])) throw new Error(`loss network ${source}: layer '${l.name}' has an invalid moving variance or mean at channel ${k}`);
          scale[k] = gamma[k] / Math.sqrt(variance[k] + l.epsilon);
          shift[k] = beta[k] - mean[k] * scale[k];
        }
        const s = tf.tensor1d(scale);
        const t = tf.tensor1d(shift);
        held.push(s, t);
        ops.push({ name: l.name, op: (x) => tf.add(tf.mul(x, s), t) });
        break;
      }
      case 'activation':
        ops.push({ name: l.name, op: activationFn(l.activation) });
        break;
      case 'pool':
        ops.push({ name: l.name, op: (x) => (l.op === 'max' ? tf.maxPool(x, l.size, l.strides, l.padding) : tf.avgPool(x, l.size, l.strides, l.padding)) });
        break;
      case 'zeropad':
        ops.push({ name: l.name, op: (x) => tf.pad(x, [[0, 0], l.padding[0], l.padding[1], [0, 0]]) });
        break;
      case 'unsupported':
        throw new Error(`loss network ${source}: layer '${l.name}' (${l.cls}) is not supported`);
    }
  }
  const order = ops.map((o) => o.name);
  const mean = input === 'caffe' ? tf.tensor1d([103.939, 116.779, 123.68]) : null;
  if (mean) held.push(mean);
  const mapInput = (x: tf.Tensor4D): tf.Tensor4D => {
    if (input === 'unit') return x;
    if (input === 'symmetric') return tf.sub(tf.mul(x, 2), 1);
    // RGB → BGR, 0–255, minus the ImageNet mean.
    return tf.sub(tf.mul(tf.reverse(x, 3), 255), mean!);
  };
  return {
    source,
    input,
    layers: order,
    features(x, wanted) {
      if (x.rank !== 4 || x.shape[3] !== 3) throw new Error(`loss network ${source}: input must be [batch, height, width, 3], got [${x.shape.join(', ')}]`);
      for (const n of wanted) if (!order.includes(n)) throw new Error(`loss network ${source}: layer '${n}' was not built (built up to '${order.at(-1)}')`);
      const deepest = Math.max(...wanted.map((n) => order.indexOf(n)));
      const out: Record<string, tf.Tensor4D> = {};
      let h = mapInput(x);
      for (let i = 0; i <= deepest; i++) {
        h = ops[i].op(h);
        if (wanted.includes(ops[i].name)) out[ops[i].name] = h;
      }
      return out;
    },
    dispose() {
      tf.dispose(held);
      held.length = 0;
    },
  };
}

function activationFn(a: Activation): (x: tf.Tensor4D) => tf.Tensor4D {
  switch (a.fn) {
    case 'linear':
      return (x) => x;
    case 'relu':
      return a.max === 6 ? (x) => tf.relu6(x) : a.max === null ? (x) => tf.relu(x) : (x) => tf.clipByValue(x, 0, a.max!);
    case 'leaky':
      return (x) => tf.leakyRelu(x, a.alpha);
  }
}
