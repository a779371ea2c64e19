import * as tf from '@tensorflow/tfjs';

// 8-bit images as the task holds them, and their tensor form. No IO here (decoding is data.ts's, in
// Node; the explorer page gets raw RGB from its server), so Node and the browser share it.

/** An 8-bit RGB image, [height, width, 3] row-major. */
export interface PixelsU8 {
  width: number;
  height: number;
  data: Uint8Array;
  source: string;
}

/** Same-size images → [n, h, w, 3] in [0, 1]. */
export function toTensor(images: readonly PixelsU8[]): tf.Tensor4D {
  const { width, height } = images[0];
  const per = width * height * 3;
  const out = new Float32Array(images.length * per);
  images.forEach((img, i) => {
    if (img.width !== width || img.height !== height) throw new Error(`style task: images differ in size (${img.source})`);
    for (let k = 0; k < per; k++) out[i * per + k] = img.data[k] / 255;
  });
  return tf.tensor4d(out, [images.length, height, width, 3]);
}
