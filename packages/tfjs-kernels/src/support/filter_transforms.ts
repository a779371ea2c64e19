import * as tf from '@tensorflow/tfjs';

/*
 * Filter rearrangements done in plain JS on the host copy of the filter. Filters are small (at most
 * a few hundred thousand values) and both target backends (wasm, cpu) read synchronously, while
 * tfjs-backend-wasm's Reverse and rank-6 Transpose take over 10 ms on a 5×5×64×96 filter.
 */

/**
 * Sub-pixel filter for dx of a strided conv: for phase (rh, rw) and tap (j, jw),
 *   G[j, jw, o, (rh·sw + rw)·Ci + i] = W[(K−1−j)·sh + rh, (Kw−1−jw)·sw + rw, i, o]
 * with K = ceil(fh/sh), Kw = ceil(fw/sw) and W = 0 beyond its edge. With sh = sw = 1 this is the
 * flipped, in/out-swapped filter of the ordinary transposed convolution.
 */
export function subpixelFilter(w: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  const [fh, fw, ci, co] = w.shape;
  const k = Math.ceil(fh / sh);
  const kw = Math.ceil(fw / sw);
  const src = w.dataSync() as Float32Array;
  const outC = sh * sw * ci;
  const dst = new Float32Array(k * kw * co * outC);
  forEachSubpixelTap(fh, fw, sh, sw, (j, jw, rh, rw, a, b) => {
    const srcBase = (a * fw + b) * ci * co;
    const dstBase = (j * kw + jw) * co * outC + (rh * sw + rw) * ci;
    for (let i = 0; i < ci; i++) {
      const s = srcBase + i * co;
      for (let o = 0; o < co; o++) dst[dstBase + o * outC + i] = src[s + o];
    }
  });
  return tf.tensor4d(dst, [k, kw, co, outC]);
}

/**
 * Visits every tap of the sub-pixel decomposition of a flipped fh×fw filter with strides (sh, sw):
 * tap (j, jw) of phase (rh, rw) reads filter element (a, b) = ((K−1−j)·sh + rh, (Kw−1−jw)·sw + rw),
 * K = ceil(fh/sh), Kw = ceil(fw/sw). Taps that fall beyond the filter edge (zero weights) are skipped.
 */
export function forEachSubpixelTap(
  fh: number,
  fw: number,
  sh: number,
  sw: number,
  visit: (j: number, jw: number, rh: number, rw: number, a: number, b: number) => void,
): void {
  const k = Math.ceil(fh / sh);
  const kw = Math.ceil(fw / sw);
  for (let j = 0; j < k; j++)
    for (let rh = 0; rh < sh; rh++) {
      const a = (k - 1 - j) * sh + rh;
      if (a >= fh) continue;
      for (let jw = 0; jw < kw; jw++)
        for (let rw = 0; rw < sw; rw++) {
          const b = (kw - 1 - jw) * sw + rw;
          if (b >= fw) continue;
          visit(j, jw, rh, rw, a, b);
        }
    }
}

/** Depthwise filter flipped in space: F[a,b,i,m] = W[fh−1−a, fw−1−b, i, m]. */
export function flipSpatial(w: tf.Tensor4D): tf.Tensor4D {
  const [fh, fw, c, m] = w.shape;
  const src = w.dataSync() as Float32Array;
  const dst = new Float32Array(src.length);
  const plane = c * m;
  for (let a = 0; a < fh; a++)
    for (let b = 0; b < fw; b++) dst.set(src.subarray(((fh - 1 - a) * fw + (fw - 1 - b)) * plane, ((fh - 1 - a) * fw + (fw - 1 - b) + 1) * plane), (a * fw + b) * plane);
  return tf.tensor4d(dst, w.shape);
}

/**
 * The filter of one sub-pixel phase (rh, rw) alone, without padding taps:
 *   G[j, jw, o, i] = W[(Kh−1−j)·sh + rh, (Kw−1−jw)·sw + rw, i, o]
 * with Kh = ceil((fh − rh)/sh), Kw = ceil((fw − rw)/sw) (null when the phase has no taps).
 */
export function phaseFilter(w: tf.Tensor4D, sh: number, sw: number, rh: number, rw: number, src = w.dataSync() as Float32Array): tf.Tensor4D | null {
  const [fh, fw, ci, co] = w.shape;
  const kh = Math.ceil((fh - rh) / sh);
  const kw = Math.ceil((fw - rw) / sw);
  if (kh <= 0 || kw <= 0) return null;
  const dst = new Float32Array(kh * kw * co * ci);
  for (let j = 0; j < kh; j++) {
    const a = (kh - 1 - j) * sh + rh;
    for (let jw = 0; jw < kw; jw++) {
      const b = (kw - 1 - jw) * sw + rw;
      const srcBase = (a * fw + b) * ci * co;
      const dstBase = (j * kw + jw) * co * ci;
      for (let i = 0; i < ci; i++) {
        const s = srcBase + i * co;
        for (let o = 0; o < co; o++) dst[dstBase + o * ci + i] = src[s + o];
      }
    }
  }
  return tf.tensor4d(dst, [kh, kw, co, ci]);
}
