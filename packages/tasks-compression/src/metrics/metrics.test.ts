import { Rng } from '@yoto/core';
import { describe, expect, it } from 'vitest';
import { MS_SSIM_WEIGHTS, msSsim, msSsimDb, ssim } from './ms-ssim.js';
import { mse, psnr } from './psnr.js';

/** Integer-only test pattern, so Python and JavaScript build exactly the same pixels. */
function pattern(w: number, h: number, spread: number): { a: Uint8Array; b: Uint8Array } {
  const a = new Uint8Array(w * h * 3);
  const b = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < 3; c++) {
        const v = (x * x * 7 + y * 13 + c * 50 + ((x * y) % 37)) % 256;
        const i = (y * w + x) * 3 + c;
        a[i] = v;
        b[i] = Math.min(255, Math.max(0, v + ((x * 31 + y * 17 + c * 7) % (2 * spread + 1)) - spread));
      }
  return { a, b };
}

describe('PSNR', () => {
  it('matches the closed form for a constant error', () => {
    const a = new Uint8Array(300).fill(100);
    const b = new Uint8Array(300).fill(110);
    expect(mse(a, b)).toBe(100);
    expect(psnr(a, b)).toBeCloseTo(10 * Math.log10((255 * 255) / 100), 12);
    expect(psnr(a, a)).toBe(Infinity);
    expect(() => mse(a, b.subarray(1))).toThrow(/differ in length/);
  });
});

describe('SSIM and MS-SSIM', () => {
  it('single-scale SSIM matches scikit-image 0.19.3 on a fixed pair', () => {
    // Reference: skimage.metrics.structural_similarity(a, b, channel_axis=2, gaussian_weights=True,
    // sigma=1.5, use_sample_covariance=False, data_range=255) on the pattern below (40×56).
    const mild = pattern(56, 40, 10);
    expect(ssim(mild.a, mild.b, 56, 40)).toBeCloseTo(0.9956913520669438, 10);
    const strong = pattern(56, 40, 40);
    expect(ssim(strong.a, strong.b, 56, 40)).toBeCloseTo(0.9425416323044941, 10);
  });

  it('is exactly 1 for identical images and below 1 otherwise', () => {
    const rng = new Rng(1);
    const a = Uint8Array.from({ length: 200 * 180 * 3 }, () => rng.int(256));
    expect(msSsim(a, a, 200, 180)).toBeCloseTo(1, 12);
    const b = Uint8Array.from(a, (v) => Math.min(255, v + rng.int(30)));
    const v = msSsim(a, b, 200, 180);
    expect(v).toBeLessThan(1);
    expect(v).toBeGreaterThan(0);
    expect(msSsimDb(1)).toBe(Infinity);
    expect(msSsimDb(0.99)).toBeCloseTo(20, 10);
  });

  it('equals the closed form for constant images: l(a, b)^w5', () => {
    // σ = 0 at every scale, so each contrast-structure term is C2/C2 = 1 and only the luminance of
    // the last scale remains: ((2ab + C1) / (a² + b² + C1))^0.1333.
    const [va, vb] = [60, 200];
    const a = new Uint8Array(176 * 176 * 3).fill(va);
    const b = new Uint8Array(176 * 176 * 3).fill(vb);
    const c1 = (0.01 * 255) ** 2;
    const l = (2 * va * vb + c1) / (va * va + vb * vb + c1);
    expect(msSsim(a, b, 176, 176)).toBeCloseTo(l ** MS_SSIM_WEIGHTS[4], 12);
  });

  it('with a single scale of weight 1 is SSIM, and refuses images too small for five scales', () => {
    const { a, b } = pattern(64, 48, 25);
    expect(msSsim(a, b, 64, 48, 3, 255, [1])).toBeCloseTo(ssim(a, b, 64, 48), 12);
    expect(() => msSsim(a, b, 64, 48)).toThrow(/at least 176×176/);
  });
});
