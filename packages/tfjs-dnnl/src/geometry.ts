import * as tf from '@tensorflow/tfjs';

/** The passes of native/conv.cc. */
export const Pass = { forward: 0, backwardData: 1, backwardWeights: 2 } as const;
export type PassName = keyof typeof Pass;

/**
 * tfjs's own resolution of a conv's geometry (every padding form, rounding mode), packed in the
 * field order native/conv.cc reads.
 */
export function packGeometry(info: tf.backend_util.Conv2DInfo): Int32Array {
  const p = info.padInfo;
  return Int32Array.from([
    info.batchSize, info.inHeight, info.inWidth, info.inChannels,
    info.outHeight, info.outWidth, info.outChannels,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth,
    info.dilationHeight, info.dilationWidth, p.top, p.bottom, p.left, p.right,
  ]);
}

/**
 * Whether a pass runs in oneDNN's blocked layout (reordering from and back to NHWC/HWIO) or on the
 * NHWC/HWIO buffers as they are. Blocked is 2–2.5× faster nearly everywhere: on the plain buffers
 * oneDNN falls back to its gemm path. The exception (measured by the anchor, dnnl_conv.cpp) is the
 * input gradient of a layer with few input channels: the blocked kernel pads them to a full vector
 * block and runs the gemm path as well, after the reorders (bls a1, 3 channels: 5.2 vs 9.1 G
 * multiply-adds/s). The rule is fixed per shape, never timed at run time, so results are repeatable.
 */
export function useBlockedLayout(pass: PassName, info: tf.backend_util.Conv2DInfo): boolean {
  return !(pass === 'backwardData' && info.inChannels < 8);
}

/** Multiply-adds of one pass (the same for all three passes of a conv). */
export function multiplyAdds(info: tf.backend_util.Conv2DInfo): number {
  return info.batchSize * info.outHeight * info.outWidth * info.outChannels * info.inChannels * info.filterHeight * info.filterWidth;
}
