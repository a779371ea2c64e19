import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@yoto/core';
import { conv2dBackpropFilterViaConv } from '../../core/src/kernels/conv2d_backprop_filter.js';
import { allocateFloat32, float32Storage } from '../../core/src/kernels/tensor_memory.js';
await initBackend('wasm');

function im2colT(x: tf.Tensor4D, fh: number, fw: number, s: number, top: number, left: number, ho: number, wo: number): tf.Tensor2D {
  const [n, H, W, C] = x.shape;
  const K = n * ho * wo;
  const out = allocateFloat32([fh * fw * C, K]);
  const X = float32Storage(x)!;
  const P = float32Storage(out)!;
  for (let kh = 0; kh < fh; kh++)
    for (let kw = 0; kw < fw; kw++)
      for (let c = 0; c < C; c++) {
        const row = ((kh * fw + kw) * C + c) * K;
        let j = row;
        for (let b = 0; b < n; b++)
          for (let y = 0; y < ho; y++) {
            const ih = y * s + kh - top;
            if (ih < 0 || ih >= H) { for (let xx = 0; xx < wo; xx++) P[j++] = 0; continue; }
            const rowBase = (b * H + ih) * W;
            for (let xx = 0; xx < wo; xx++) {
              const iw = xx * s + kw - left;
              P[j++] = iw < 0 || iw >= W ? 0 : X[(rowBase + iw) * C + c];
            }
          }
      }
  return out as tf.Tensor2D;
}
function im2col(x: tf.Tensor4D, fh: number, fw: number, s: number, top: number, left: number, ho: number, wo: number): tf.Tensor2D {
  const [n, H, W, C] = x.shape;
  const R = fh * fw * C;
  const out = allocateFloat32([n * ho * wo, R]);
  const X = float32Storage(x)!;
  const P = float32Storage(out)!;
  let j = 0;
  for (let b = 0; b < n; b++)
    for (let y = 0; y < ho; y++)
      for (let xx = 0; xx < wo; xx++)
        for (let kh = 0; kh < fh; kh++) {
          const ih = y * s + kh - top;
          for (let kw = 0; kw < fw; kw++) {
            const iw = xx * s + kw - left;
            if (ih < 0 || ih >= H || iw < 0 || iw >= W) { for (let c = 0; c < C; c++) P[j++] = 0; continue; }
            const base = ((b * H + ih) * W + iw) * C;
            for (let c = 0; c < C; c++) P[j++] = X[base + c];
          }
        }
  return out as tf.Tensor2D;
}

function cpu(f: () => void, reps = 20): number {
  for (let i = 0; i < 3; i++) f();
  const c0 = process.cpuUsage();
  for (let i = 0; i < reps; i++) f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000 / reps;
}
for (const [xs, dys, fs] of [[[64, 14, 14, 32], [64, 7, 7, 64], [3, 3, 32, 64]], [[64, 28, 28, 1], [64, 14, 14, 32], [3, 3, 1, 32]]] as [number[], number[], number[]][]) {
  const x = tf.randomNormal(xs) as tf.Tensor4D;
  const dy = tf.randomNormal(dys) as tf.Tensor4D;
  const [fh, fw, ci, co] = fs;
  const ho = dys[1], wo = dys[2];
  const K = dys[0] * ho * wo;
  const ref = conv2dBackpropFilterViaConv(x, dy, fs as any, 2, 'same');
  const viaT = () => tf.tidy(() => tf.reshape(tf.matMul(im2colT(x, fh, fw, 2, 0, 0, ho, wo), tf.reshape(dy, [K, co])), fs));
  const viaP = () => tf.tidy(() => tf.reshape(tf.matMul(im2col(x, fh, fw, 2, 0, 0, ho, wo), tf.reshape(dy, [K, co]), true, false), fs));
  // same-pad stride 2 on even input: top = 0
  const err = (t: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(t, ref))).dataSync()[0]);
  console.log(xs.join('x'), 'errT', err(viaT()), 'errP', err(viaP()));
  console.log('  conv   ', cpu(() => conv2dBackpropFilterViaConv(x, dy, fs as any, 2, 'same').dispose()).toFixed(2));
  console.log('  im2colT', cpu(() => viaT().dispose()).toFixed(2), ' (im2col alone', cpu(() => im2colT(x, fh, fw, 2, 0, 0, ho, wo).dispose()).toFixed(2), ')');
  console.log('  im2col ', cpu(() => viaP().dispose()).toFixed(2), ' (im2col alone', cpu(() => im2col(x, fh, fw, 2, 0, 0, ho, wo).dispose()).toFixed(2), ')');
  console.log('  fwd conv', cpu(() => tf.conv2d(x, tf.randomNormal(fs) as tf.Tensor4D, 2, 'same').dispose()).toFixed(2));
}
