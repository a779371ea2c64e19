import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { compressAt, decompress, decompressToTensor } from '../codec/codec.js';
import { type ImageU8, toImage, toPaddedTensor } from '../codec/image.js';
import type { CompressionModel } from '../model/compression-model.js';

/**
 * Test helper: codes `image` at λ and checks that the decoder's float reconstruction is the model's
 * quantized forward pass bit for bit, and the decoded 8-bit image its rounding. `inspect` sees the
 * forward pass's outputs before they are disposed.
 */
export function expectExactDecode(model: CompressionModel, image: ImageU8, lambda: number, inspect?: (ref: Record<string, tf.Tensor>) => void): void {
  const enc = compressAt(model, image, lambda);
  const { xHat } = decompressToTensor(model, enc.bytes);
  const x = toPaddedTensor(image);
  const ref = model.quantizedForward(x, lambda);
  const a = xHat.dataSync();
  const b = ref.xHat.dataSync();
  expect(a.length).toBe(b.length);
  let same = 0;
  for (let i = 0; i < a.length; i++) if (Object.is(a[i], b[i])) same++;
  expect(same).toBe(a.length);
  expect(decompress(model, enc.bytes).image).toEqual(toImage(ref.xHat, image.width, image.height));
  inspect?.(ref as unknown as Record<string, tf.Tensor>);
  tf.dispose([xHat, x, ...Object.values(ref)]);
}
