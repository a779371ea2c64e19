import * as tf from '@tensorflow/tfjs';
import type { NaivePad } from './naive_conv.js';
import type { Shape4 } from './dense.js';

/** Worst elementwise |got − want| / (1 + |want|): float32 results summed in another order stay near 1e-6. */
export function worstError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) throw new Error(`worstError: ${got.length} values against ${want.length}`);
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i])));
  return worst;
}

/** ‖got − want‖ / ‖want‖ (a whole gradient against another backend's). */
export function relativeL2(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) throw new Error(`relativeL2: ${got.length} values against ${want.length}`);
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < got.length; i++) {
    diff += (got[i] - want[i]) ** 2;
    norm += want[i] ** 2;
  }
  return Math.sqrt(diff / norm);
}

/** One convolution of a kernel test: input, filter ([fh, fw, in, out] or depthwise [fh, fw, in, multiplier]), attributes. */
export interface ConvCase {
  x: Shape4;
  f: Shape4;
  strides: [number, number];
  dilations: [number, number];
  pad: NaivePad;
}
export const convCaseLabel = (c: ConvCase) => `x${JSON.stringify(c.x)} f${JSON.stringify(c.f)} s${c.strides} d${c.dilations} pad ${JSON.stringify(c.pad)}`;
export const convCaseSpec = (c: ConvCase) => ({ strides: c.strides, dilations: c.dilations, pad: c.pad });

/** A kernel called by name on the active backend, as tfjs's ops call it. */
export const runKernel = (name: string, inputs: tf.NamedTensorMap, attrs: object) => tf.engine().runKernel(name, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
