import * as tf from '@tensorflow/tfjs';

/** The passes of native/convolution.cc. */
export const Pass = { forward: 0, backwardData: 1, backwardWeights: 2 } as const;
export type PassName = keyof typeof Pass;

/**
 * tfjs's own resolution of a conv's geometry (every padding form, rounding mode), packed in the
 * field order native/convolution.cc reads; `groups` is 1 for a dense convolution and the input
 * channel count for a depthwise one.
 */
export function packGeometry(info: tf.backend_util.Conv2DInfo, groups = 1): Int32Array {
  const p = info.padInfo;
  return Int32Array.from([
    info.batchSize, info.inHeight, info.inWidth, info.inChannels,
    info.outHeight, info.outWidth, info.outChannels,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth,
    info.dilationHeight, info.dilationWidth, p.top, p.bottom, p.left, p.right, groups,
  ]);
}

/**
 * The layouts a pass runs in (native/convolution.cc's codes):
 * - `plain`: oneDNN on the NHWC/HWIO buffers as they are, no copies;
 * - `blocked`: oneDNN's own layout for every operand (format_tag::any), reordered from and back to
 *   NHWC/HWIO around the call;
 * - `nhwc`: activations as they are, the filter alone in oneDNN's layout (a small reorder, cached for
 *   filters that do not change: filter_cache.h; a filter gradient is reordered back on every call).
 */
export const Layout = { plain: 0, blocked: 1, nhwc: 2 } as const;
export type LayoutName = keyof typeof Layout;

/** Fewer input channels than this leave most of the blocked layout's 16-channel vector block empty. */
const FEW_INPUT_CHANNELS = 8;

/**
 * The layout of each pass, fixed per shape (never timed at run time, so results are repeatable).
 * Measured with the anchors (shared/anchors/dnnl_conv.cpp and the depthwise one now in
 * packages/core/bench/anchors/dnnl_conv.cpp, one thread, same sitting) on oneDNN 2.6:
 * - With the filter as HWIO oneDNN falls back to its gemm path; with the filter in its own layout and
 *   the activations left NHWC, the forward pass runs the brgemm kernel, which is as fast as the fully
 *   blocked one or faster (probe 60 vs 19, bls a1 91 vs 52 G multiply-adds/s) and saves reordering
 *   the activations: forward passes run `nhwc`.
 * - The backward passes' NHWC kernels are no faster than the blocked ones, so they stay `blocked`,
 *   except for a layer with few input channels (< 8), where the blocked kernels pad the channels to
 *   a full vector block: its input gradient runs `plain` (bls a1, 3 channels: plain 33 vs 9–11), and
 *   its filter gradient `nhwc`, oneDNN's NHWC kernel with only the small filter gradient reordered
 *   back (bls a1 on 2026-12-07, packages/core/bench/anchors/dnnl_conv.cpp: nhwc 76.6 vs blocked
 *   39.8 and plain 37.4; the native kernel in `blocked` ran 35.4).
 * - Depthwise (groups > 1): `nhwc` for every pass. Plain runs the gemm path (0.1–0.4 G
 *   multiply-adds/s), blocked pays activation reorders as large as the convolution's own traffic
 *   (1–16); `nhwc` runs oneDNN's depthwise kernels directly on the NHWC tensors (14–53).
 */
export function convLayout(pass: PassName, info: tf.backend_util.Conv2DInfo, groups = 1): LayoutName {
  if (groups > 1) return 'nhwc';
  if (pass === 'forward') return 'nhwc';
  if (info.inChannels >= FEW_INPUT_CHANNELS) return 'blocked';
  return pass === 'backwardData' ? 'plain' : 'nhwc';
}

/** Multiply-adds of one pass (the same for all three passes of a conv; `groups` as in packGeometry). */
export function multiplyAdds(info: tf.backend_util.Conv2DInfo, groups = 1): number {
  return (info.batchSize * info.outHeight * info.outWidth * info.outChannels * info.inChannels * info.filterHeight * info.filterWidth) / groups;
}
