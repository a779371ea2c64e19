import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { loadAddon } from './addon.js';
import { filterToken } from './filter-tokens.js';
import { convLayout, packGeometry } from './geometry.js';

describe('loadAddon', () => {
  it('reports a missing addon with its path instead of throwing, and caches the answer', () => {
    const saved = process.env.YOTO_DNNL_ADDON;
    process.env.YOTO_DNNL_ADDON = '/nonexistent/dnnl_kernels.node';
    try {
      const s = loadAddon();
      expect(s).toEqual({ ok: false, why: expect.stringContaining('the addon is not built (/nonexistent/dnnl_kernels.node is missing') });
      expect(s.ok ? '' : s.why).toContain('apt-get install libdnnl-dev');
      expect(loadAddon()).toBe(s);
    } finally {
      if (saved === undefined) delete process.env.YOTO_DNNL_ADDON;
      else process.env.YOTO_DNNL_ADDON = saved;
    }
  });
});

describe('geometry', () => {
  it('packs tfjs’s resolution of a conv in the order native/convolution.cc reads it', () => {
    const info = tf.backend_util.computeConv2DInfo([2, 9, 8, 3], [5, 3, 3, 6], [2, 3], [1, 1], [[0, 0], [2, 1], [0, 4], [0, 0]]);
    // n ih iw ic | oh ow oc | fh fw sh sw dh dw | top bottom left right | groups
    expect(Array.from(packGeometry(info))).toEqual([2, 9, 8, 3, 4, 4, 6, 5, 3, 2, 3, 1, 1, 2, 1, 0, 4, 1]);
  });

  it('runs forward passes, input gradients and depthwise on NHWC, filter gradients by channels × stride, and few input channels their own way', () => {
    const info = (c: number, stride: number | [number, number] = 2) => tf.backend_util.computeConv2DInfo([8, 128, 128, c], [5, 5, c, 64], stride, 1, 'same');
    expect(convLayout('forward', info(3))).toBe('nhwc');
    expect(convLayout('forward', info(64))).toBe('nhwc');
    // Fewer than 8 input channels: input gradient plain, filter gradient NHWC.
    expect(convLayout('backwardData', info(3))).toBe('plain');
    expect(convLayout('backwardData', info(7))).toBe('plain');
    expect(convLayout('backwardWeights', info(3))).toBe('nhwc');
    expect(convLayout('backwardWeights', info(7))).toBe('nhwc');
    expect(convLayout('backwardData', info(8))).toBe('nhwc');
    expect(convLayout('backwardData', info(64))).toBe('nhwc');
    // Filter gradients: NHWC up to 64 input channels × stride (the probe, 64 × 1; vae c2, 32 × 2),
    // blocked above (bls a2, 64 × 2; the style residual, 128 × 1); the larger stride counts.
    expect(convLayout('backwardWeights', info(8))).toBe('nhwc');
    expect(convLayout('backwardWeights', info(32))).toBe('nhwc');
    expect(convLayout('backwardWeights', info(33))).toBe('blocked');
    expect(convLayout('backwardWeights', info(64))).toBe('blocked');
    expect(convLayout('backwardWeights', info(64, 1))).toBe('nhwc');
    expect(convLayout('backwardWeights', info(65, 1))).toBe('blocked');
    expect(convLayout('backwardWeights', info(128, 1))).toBe('blocked');
    expect(convLayout('backwardWeights', info(32, [1, 3]))).toBe('blocked');
    const dw = tf.backend_util.computeConv2DInfo([4, 32, 32, 3], [3, 3, 3, 1], 1, 1, 'same', undefined, true);
    for (const pass of ['forward', 'backwardData', 'backwardWeights'] as const) expect(convLayout(pass, dw, 3)).toBe('nhwc');
  });
});

describe('filterToken', () => {
  it('is stable for one data id and never shared by two, even after the first is gone', () => {
    const a = {};
    const b = {};
    expect(filterToken(a)).toBe(filterToken(a));
    expect(filterToken(b)).not.toBe(filterToken(a));
    // Tokens only grow: a data id made later (as after a dispose) gets one no earlier id had.
    const seen = new Set([filterToken(a), filterToken(b)]);
    for (let i = 0; i < 100; i++) {
      const t = filterToken({});
      expect(seen.has(t)).toBe(false);
      seen.add(t);
    }
  });
});
