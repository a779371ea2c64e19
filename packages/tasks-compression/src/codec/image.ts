import * as tf from '@tensorflow/tfjs';
import { STRIDE } from '../model/config.js';

/** An 8-bit RGB image, HWC row-major (what the codec takes and returns). */
export interface ImageU8 {
  readonly width: number;
  readonly height: number;
  /** [height, width, 3]. */
  readonly data: Uint8Array;
}

export function checkImage(img: ImageU8, what = 'image'): void {
  if (!img || typeof img !== 'object') throw new Error(`${what}: expected { width, height, data } with RGB bytes`);
  const { width, height, data } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    throw new Error(`${what}: width and height must be positive integers, got ${width}×${height}`);
  if (!(data instanceof Uint8Array)) throw new Error(`${what}: data must be a Uint8Array of RGB bytes`);
  if (data.length !== width * height * 3) {
    const ch = data.length / (width * height);
    const hint = ch === 1 ? ' (a gray image: expand it to RGB)' : ch === 4 ? ' (RGBA: remove or flatten the alpha channel)' : '';
    throw new Error(`${what}: ${width}×${height} RGB needs ${width * height * 3} bytes, got ${data.length}${hint}`);
  }
}

/** Padding to the next multiple of the transform's stride on the right and at the bottom. */
export function paddingFor(width: number, height: number): { padRight: number; padBottom: number } {
  return { padRight: (STRIDE - (width % STRIDE)) % STRIDE, padBottom: (STRIDE - (height % STRIDE)) % STRIDE };
}

/**
 * The image as a [1, H', W', 3] tensor in [0, 1], padded by repeating the last row and column:
 * a smooth continuation costs fewer bits than a black border and is cropped away after decoding.
 */
export function toPaddedTensor(img: ImageU8): tf.Tensor4D {
  const { padRight, padBottom } = paddingFor(img.width, img.height);
  return tf.tidy(() => {
    const x = tf.div(tf.tensor4d(Float32Array.from(img.data), [1, img.height, img.width, 3]), 255) as tf.Tensor4D;
    if (padRight === 0 && padBottom === 0) return x;
    let out = x;
    if (padRight > 0) {
      const col = tf.slice(out, [0, 0, img.width - 1, 0], [1, img.height, 1, 3]);
      out = tf.concat([out, tf.tile(col, [1, 1, padRight, 1])], 2);
    }
    if (padBottom > 0) {
      const row = tf.slice(out, [0, img.height - 1, 0, 0], [1, 1, img.width + padRight, 3]);
      out = tf.concat([out, tf.tile(row, [1, padBottom, 1, 1])], 1);
    }
    return out as tf.Tensor4D;
  });
}

/** Crops the padded reconstruction back to width × height and rounds it to 8-bit RGB. */
export function toImage(xHat: tf.Tensor4D, width: number, height: number): ImageU8 {
  const values = tf.tidy(() => {
    const cropped = tf.slice(xHat, [0, 0, 0, 0], [1, height, width, 3]);
    return tf.clipByValue(tf.round(tf.mul(cropped, 255)), 0, 255);
  });
  const data = Uint8Array.from(values.dataSync());
  values.dispose();
  return { width, height, data };
}

/** A w×h window of an 8-bit image at (x, y) (e.g. the report's gallery crop). */
export function cropImage(img: ImageU8, x: number, y: number, w: number, h: number): ImageU8 {
  checkImage(img);
  if (![x, y, w, h].every(Number.isInteger) || x < 0 || y < 0 || w < 1 || h < 1 || x + w > img.width || y + h > img.height)
    throw new Error(`crop ${w}×${h} at (${x}, ${y}) does not fit a ${img.width}×${img.height} image`);
  const data = new Uint8Array(w * h * 3);
  for (let r = 0; r < h; r++) data.set(img.data.subarray(((y + r) * img.width + x) * 3, ((y + r) * img.width + x + w) * 3), r * w * 3);
  return { width: w, height: h, data };
}

/** The centre size×size window (clamped to the image); the image itself for size 0. */
export function centreCrop(img: ImageU8, size: number): ImageU8 {
  if (size === 0 || (img.width <= size && img.height <= size)) return img;
  const w = Math.min(size, img.width);
  const h = Math.min(size, img.height);
  return cropImage(img, Math.floor((img.width - w) / 2), Math.floor((img.height - h) / 2), w, h);
}
