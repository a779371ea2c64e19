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
/** Input channels × stride up to which a filter gradient runs `nhwc` (convLayout says where it comes from). */
const NHWC_FILTER_GRAD_REACH = 64;

/**
 * The layout of each pass, fixed per shape (never timed at run time, so results are repeatable).
 * Measured with the anchors (shared/anchors/dnnl_conv.cpp and, since 2026-12-07,
 * packages/core/bench/anchors/dnnl_conv.cpp, one thread, same sitting) on oneDNN 2.6:
 * - With the filter as HWIO oneDNN falls back to its gemm path; with the filter in its own layout and
 *   the activations left NHWC, the forward pass runs the brgemm kernel, which is as fast as the fully
 *   blocked one or faster (probe 60 vs 19, bls a1 91 vs 52 G multiply-adds/s) and saves reordering
 *   the activations: forward passes run `nhwc`.
 * - Input gradients run `nhwc` too: the anchor's NHWC kernel matched or beat its blocked layout with
 *   its reorders on every dense shape but the style residual (2026-12-07 05:40–05:48, three runs:
 *   vae c2 86–90 vs 67–74, bls a2 90–92 vs 82–86, a4 99–102 vs 90–93, probe 83–95 vs 76–93, style
 *   residual 77–88 vs 81–92), and the native kernels in `nhwc` then ran at 0.92–1.00× the anchor's
 *   best (05:56–05:57; vae c2 had been 0.65–0.76× in `blocked`). Except for a layer with few input
 *   channels (< 8), where the blocked kernels pad the channels to a full vector block and the NHWC
 *   one is no better: plain (bls a1, 3 channels: plain 38–39 vs NHWC 16, blocked 14).
 * - Filter gradients run `nhwc` (only the small filter gradient reordered back) where the layer's
 *   input channels times its stride come to at most 64, and `blocked` above that. The anchor's rows
 *   (2026-12-07, full bench runs: three at 05:40–05:48 for the first three shapes, two at 07:05–07:10
 *   for all six; NHWC vs blocked, G multiply-adds/s) put NHWC ahead on the probe (64 channels, stride 1:
 *   85–101 vs 69–86), vae c2 (32, stride 2: 72–87 vs 62–84) and bls a1 (3, stride 2: NHWC 63–86 vs
 *   blocked 52–61 and plain 46–48; the native kernel went from 35.4 in `blocked` at 04:26 to a median
 *   of 58 over three runs, 34–75), and no faster on bls a2 and a4 (64, stride 2: 72–75 vs 75–77,
 *   93 vs 91) or the style residual (128, stride 1: 70–85 vs 69–83). Channels × stride is the
 *   simplest rule that splits these six shapes as measured: a fit, not a model of oneDNN's kernels.
 *   Natively (the paired kernels bench, four runs 2026-12-07 09:20–09:33): the probe's filter gradient
 *   in `nhwc` at 94.9–102.6 G multiply-adds/s, 0.98–1.02× the anchor's NHWC and above its blocked
 *   layout (75–90) in the same rounds; vae c2's at 0.97–0.98× (in `blocked` it had read 0.76–0.97×).
 * - Depthwise (groups > 1): `nhwc` for every pass. Plain runs the gemm path (0.1–0.4 G
 *   multiply-adds/s), blocked pays activation reorders as large as the convolution's own traffic
 *   (1–16); `nhwc` runs oneDNN's depthwise kernels directly on the NHWC tensors (14–53).
 */
export function convLayout(pass: PassName, info: tf.backend_util.Conv2DInfo, groups = 1): LayoutName {
  if (groups > 1 || pass === 'forward') return 'nhwc';
  const few = info.inChannels < FEW_INPUT_CHANNELS;
  if (pass === 'backwardData') return few ? 'plain' : 'nhwc';
  const reach = info.inChannels * Math.max(info.strideHeight, info.strideWidth);
  return few || reach <= NHWC_FILTER_GRAD_REACH ? 'nhwc' : 'blocked';
}

/** Multiply-adds of one pass (the same for all three passes of a conv; `groups` as in packGeometry). */
export function multiplyAdds(info: tf.backend_util.Conv2DInfo, groups = 1): number {
  return (info.batchSize * info.outHeight * info.outWidth * info.outChannels * info.inChannels * info.filterHeight * info.filterWidth) / groups;
}
