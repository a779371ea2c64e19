import type * as tf from '@tensorflow/tfjs';
import { float32Storage, hasHostStorage } from '@yoto/tfjs-kernels';

/**
 * √(Σ‖t‖²) over float32 tensors, read straight from their storage on wasm and cpu (null elsewhere,
 * or for another dtype). Accumulated in double precision and rounded to float32 once; the op
 * version costs two kernels per tensor and an AddN, which for a model of ~40 small parameters is
 * mostly per-kernel overhead.
 */
export function globalNormOnHost(ts: readonly tf.Tensor[]): number | null {
  if (!hasHostStorage()) return null;
  const views: Float32Array[] = [];
  for (const t of ts) {
    const s = float32Storage(t);
    if (!s) return null;
    views.push(s);
  }
  let total = 0;
  for (const s of views) for (let i = 0; i < s.length; i++) total += s[i] * s[i];
  return Math.fround(Math.sqrt(total));
}
