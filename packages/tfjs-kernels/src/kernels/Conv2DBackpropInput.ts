import * as tf from '@tensorflow/tfjs';
import { convGeometry, crop, fromNHWC, padOrCrop, toNHWC, type ConvBackpropAttrs, type ConvGeometry, type DataFormat, type PadAttr } from '../support/conv_geometry.js';
import { phaseFilter, subpixelFilter } from '../support/filter_transforms.js';
import { opKernel } from '../support/op_kernel.js';
import { allocateFloat32, float32Storage, hasHostStorage } from '../support/tensor_memory.js';

/**
 * dx of conv2d (also the forward pass of conv2dTranspose) as ordinary stride-1 convolutions, which
 * the backends run far faster than their scatter loops. With T the forward top padding:
 *   dx[h] = Σ_{y,a : y·s + a − T = h} dy[y] · W[a]
 *
 * Two strategies:
 * - 'zeros': insert s−1 zeros between dy rows/cols and correlate with the flipped, transposed
 *   filter. One conv, but s² times the multiplies (most hit inserted zeros).
 * - 'subpixel': split outputs by phase r = (h+T) mod s. Phase r only meets taps a ≡ r (mod s),
 *   so each phase is a small stride-1 conv of dy with K = ceil(fh/s) taps. All s² phases go into
 *   the output channels of ONE conv (filter [K,Kw,Co,s·sw·Ci]) and a depth-to-space shuffle puts
 *   them back in place. Wastes only the zero taps from padding fh up to K·s.
 * - 'phases': the same split as s² separate convs, each with exactly its own taps (none wasted:
 *   a 3×3 stride-2 filter splits 4/2/2/1), concatenated on channels before the same shuffle.
 */
export type BackpropInputStrategy = 'zeros' | 'subpixel' | 'phases';

function zeroInsertion(dy: tf.Tensor4D, w: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const [n, ho, wo, co] = dy.shape;
  let up = dy;
  if (g.sh > 1 || g.sw > 1) {
    const six = tf.reshape(dy, [n, ho, 1, wo, 1, co]);
    const padded = tf.pad(six, [[0, 0], [0, 0], [0, g.sh - 1], [0, 0], [0, g.sw - 1], [0, 0]]);
    up = tf.reshape(padded, [n, ho * g.sh, wo * g.sw, co]);
  }
  const flipped = subpixelFilter(w, 1, 1);
  const top = g.fh - 1 - g.top;
  const left = g.fw - 1 - g.left;
  const bottom = g.inH + g.fh - 1 - top - up.shape[1];
  const right = g.inW + g.fw - 1 - left - up.shape[2];
  const p = padOrCrop(up, top, bottom, left, right);
  return tf.conv2d(p.x, flipped, 1, p.pad);
}

/** Per-axis layout of the sub-pixel decomposition. */
function phaseAxis(inSize: number, outSize: number, f: number, s: number, t: number) {
  const k = Math.ceil(f / s);
  const q0 = Math.floor(t / s);
  const q = Math.floor((inSize - 1 + t) / s) - q0 + 1;
  const before = k - 1 - q0;
  const after = q + k - 1 - before - outSize;
  return { k, q, before, after, offset: t - q0 * s };
}

/** Interleaves phase outputs [N,Q,Qw,(rh·sw+rw)·Ci+i] into [N,Q·sh,Qw·sw,Ci] and crops to the input. */
function depthToSpace(phases: tf.Tensor4D, g: ConvGeometry, ah: ReturnType<typeof phaseAxis>, aw: ReturnType<typeof phaseAxis>, ci: number): tf.Tensor4D {
  const [n] = phases.shape;
  let full: tf.Tensor4D = phases;
  if (g.sh > 1 || g.sw > 1) {
    const shuffled = tf.transpose(tf.reshape(phases, [n * ah.q, aw.q, g.sh, g.sw * ci]), [0, 2, 1, 3]);
    full = tf.reshape(shuffled, [n, ah.q * g.sh, aw.q * g.sw, ci]);
  }
  return crop(full, ah.offset, aw.offset, g.inH, g.inW);
}

function subpixel(dy: tf.Tensor4D, w: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const [fh, fw, ci] = w.shape;
  const ah = phaseAxis(g.inH, g.outH, fh, g.sh, g.top);
  const aw = phaseAxis(g.inW, g.outW, fw, g.sw, g.left);
  const gFilter = subpixelFilter(w, g.sh, g.sw);
  const p = padOrCrop(dy, ah.before, ah.after, aw.before, aw.after);
  return depthToSpace(tf.conv2d(p.x, gFilter, 1, p.pad), g, ah, aw, ci);
}

function phases(dy: tf.Tensor4D, w: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const [n, ho, wo] = dy.shape;
  const [fh, fw, ci] = w.shape;
  const ah = phaseAxis(g.inH, g.outH, fh, g.sh, g.top);
  const aw = phaseAxis(g.inW, g.outW, fw, g.sw, g.left);
  const q0h = ah.k - 1 - ah.before;
  const q0w = aw.k - 1 - aw.before;
  const src = w.dataSync() as Float32Array;
  const outs: (tf.Tensor4D | null)[] = [];
  for (let rh = 0; rh < g.sh; rh++)
    for (let rw = 0; rw < g.sw; rw++) {
      const f = phaseFilter(w, g.sh, g.sw, rh, rw, src);
      if (!f) {
        outs.push(null);
        continue;
      }
      const [kh, kw] = f.shape;
      // Same output rows q0 … q0+Q−1 for every phase; only the number of taps differs.
      const top = kh - 1 - q0h;
      const left = kw - 1 - q0w;
      const p = padOrCrop(dy, top, ah.q + kh - 1 - top - ho, left, aw.q + kw - 1 - left - wo);
      outs.push(tf.conv2d(p.x, f, 1, p.pad));
    }
  if (hasHostStorage() && outs.every((o) => !o || o.dtype === 'float32')) return interleaveOnHost(outs, g, ah, aw, ci);
  const full = outs.map((o) => o ?? (tf.zeros([n, ah.q, aw.q, ci]) as tf.Tensor4D));
  return depthToSpace(full.length === 1 ? full[0] : tf.concat(full, 3), g, ah, aw, ci);
}

/**
 * The depth-to-space shuffle and crop of the phase outputs in one host pass, straight from the
 * separate phase tensors: tfjs-backend-wasm's channel concat copies one short run per pixel and
 * input from JS, and the shuffle then needs a transpose and a crop on top.
 */
function interleaveOnHost(outs: (tf.Tensor4D | null)[], g: ConvGeometry, ah: ReturnType<typeof phaseAxis>, aw: ReturnType<typeof phaseAxis>, ci: number): tf.Tensor4D {
  const n = g.batch;
  const out = allocateFloat32([n, g.inH, g.inW, ci]);
  const dst = float32Storage(out)!;
  const srcs = outs.map((o) => (o ? float32Storage(o) : null));
  const { sh, sw, inH, inW } = g;
  // On wasm every view lies on the one heap: copyWithin moves each run natively.
  const heap = srcs.every((v) => !v || v.buffer === dst.buffer) ? new Float32Array(dst.buffer) : null;
  const base = dst.byteOffset >> 2;
  const srcBase = srcs.map((v) => (v ? v.byteOffset >> 2 : 0));
  let d = 0;
  for (let img = 0; img < n; img++)
    for (let h = 0; h < inH; h++) {
      const fr = h + ah.offset;
      const q = Math.floor(fr / sh);
      const rh = fr - q * sh;
      for (let x = 0; x < inW; x++) {
        const fc = x + aw.offset;
        const qw = Math.floor(fc / sw);
        const phase = rh * sw + fc - qw * sw;
        const src = srcs[phase];
        if (!src) {
          dst.fill(0, d, d + ci);
        } else {
          const s = ((img * ah.q + q) * aw.q + qw) * ci;
          if (heap) heap.copyWithin(base + d, srcBase[phase] + s, srcBase[phase] + s + ci);
          else for (let c = 0; c < ci; c++) dst[d + c] = src[s + c];
        }
        d += ci;
      }
    }
  return out as tf.Tensor4D;
}

/**
 * Picks the strategy from measurements on wasm (`pnpm bench kernels`; ms, batch 64 at 28² for 3×3,
 * batch 8 at 64² for 5×5, stride 2, subpixel/phases): dx channels 4: 2.3/9.3, 8: 6.5/9.0,
 * 16: 15.3/7.4, 32: 22/13; 5×5 with 8: 23.5/17.9, 3 channels at 128²: 26/56. Separate phase convs
 * pay off once each has enough output channels to fill XNNPACK's tiles; below that the single
 * conv with s²·Ci outputs wins despite its padding taps. Zero insertion never wins.
 */
export function chooseBackpropInputStrategy(g: ConvGeometry): BackpropInputStrategy {
  if (g.sh === 1 && g.sw === 1) return 'subpixel'; // one phase: both are the same single conv
  const taps = g.fh * g.fw;
  return g.inC >= 16 || (g.inC >= 8 && taps >= 25) ? 'phases' : 'subpixel';
}

export function conv2dBackpropInputViaConv(
  inputShape: [number, number, number, number],
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  strides: number | [number, number],
  pad: PadAttr,
  dataFormat: DataFormat = 'NHWC',
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
  strategy?: BackpropInputStrategy,
): tf.Tensor4D {
  const g = convGeometry(inputShape, filter.shape, strides, 1, pad, dimRoundingMode, false, dataFormat);
  return tf.tidy(() => {
    const d = toNHWC(dy, g.channelsFirst);
    const s = strategy ?? chooseBackpropInputStrategy(g);
    const dx = s === 'zeros' ? zeroInsertion(d, filter, g) : s === 'phases' ? phases(d, filter, g) : subpixel(d, filter, g);
    return fromNHWC(dx, g.channelsFirst);
  });
}

export const conv2dBackpropInputKernel = opKernel(({ dy, filter }, attrs) => {
  const a = attrs as unknown as ConvBackpropAttrs & { inputShape: [number, number, number, number] };
  return conv2dBackpropInputViaConv(a.inputShape, dy as tf.Tensor4D, filter as tf.Tensor4D, a.strides, a.pad, a.dataFormat ?? 'NHWC', a.dimRoundingMode);
});
