import * as tf from '@tensorflow/tfjs';
import type { Params } from './params.js';

/**
 * Functional layers over a ParamStore: each factory defines its variables once and returns the
 * forward function. Tasks compose these; conditioning (FiLM, CIN) is applied between them.
 */

export interface Conv2dOptions {
  filters: number;
  kernelSize: number;
  strides?: number;
  padding?: 'same' | 'valid';
  useBias?: boolean;
}

export type Layer<I extends tf.Tensor = tf.Tensor, O extends tf.Tensor = tf.Tensor> = (x: I) => O;

export function conv2d(p: Params, name: string, inChannels: number, o: Conv2dOptions): Layer<tf.Tensor4D, tf.Tensor4D> {
  const k = o.kernelSize;
  const fanIn = k * k * inChannels;
  const w = p.variable(`${name}/kernel`, [k, k, inChannels, o.filters], { kind: 'glorotUniform', fanIn, fanOut: k * k * o.filters });
  const b = o.useBias === false ? null : p.variable(`${name}/bias`, [o.filters], { kind: 'zeros' });
  const strides = o.strides ?? 1;
  const padding = o.padding ?? 'same';
  return (x) => {
    const y = tf.conv2d(x, w as tf.Tensor4D, strides, padding);
    return b ? (tf.add(y, b) as typeof y) : y;
  };
}

/**
 * Transposed convolution that exactly inverts the shape of a `same` conv2d with the same stride:
 * [b, h, w, in] → [b, h·s, w·s, filters].
 */
export function conv2dTranspose(p: Params, name: string, inChannels: number, o: Conv2dOptions): Layer<tf.Tensor4D, tf.Tensor4D> {
  const k = o.kernelSize;
  // tfjs stores transposed kernels as [k, k, outChannels, inChannels].
  const w = p.variable(`${name}/kernel`, [k, k, o.filters, inChannels], { kind: 'glorotUniform', fanIn: k * k * inChannels, fanOut: k * k * o.filters });
  const b = o.useBias === false ? null : p.variable(`${name}/bias`, [o.filters], { kind: 'zeros' });
  const s = o.strides ?? 1;
  const padding = o.padding ?? 'same';
  return (x) => {
    const [n, h, wd] = x.shape;
    const outShape: [number, number, number, number] =
      padding === 'same' ? [n, h * s, wd * s, o.filters] : [n, (h - 1) * s + k, (wd - 1) * s + k, o.filters];
    const y = tf.conv2dTranspose(x, w as tf.Tensor4D, outShape, s, padding);
    return b ? (tf.add(y, b) as typeof y) : y;
  };
}

export function dense(p: Params, name: string, inUnits: number, units: number, useBias = true): Layer<tf.Tensor2D, tf.Tensor2D> {
  const w = p.variable(`${name}/kernel`, [inUnits, units], { kind: 'glorotUniform', fanIn: inUnits, fanOut: units });
  const b = useBias ? p.variable(`${name}/bias`, [units], { kind: 'zeros' }) : null;
  return (x) => {
    const y = tf.matMul(x, w as tf.Tensor2D) as tf.Tensor2D;
    return b ? (tf.add(y, b) as typeof y) : y;
  };
}
