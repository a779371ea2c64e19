import * as tf from '@tensorflow/tfjs';
import type { Dense4 } from './naive_conv.js';

export type Shape4 = [number, number, number, number];

/** Deterministic values in [-1, 1) (a small LCG), so failures reproduce. */
export function dense(shape: Shape4, seed: number): Dense4 {
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  let s = seed >>> 0;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s / 2 ** 31 - 1;
  }
  return { shape, data };
}

export const t4 = (d: Dense4) => tf.tensor4d(d.data, d.shape);
