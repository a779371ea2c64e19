import { defineSpace, initBackend, Rng } from '@yoto/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { STYLE_TERMS, evenWeights, styleSettings, styleSpaceSpec } from './space.js';

describe('style coefficient space', () => {
  // The condition is a tensor.
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('samples five coefficients: a uniform box plus a share of one-hot style vectors, encoded centred on the box', () => {
    const space = defineSpace(styleSpaceSpec());
    expect(space.terms).toEqual([...STYLE_TERMS]);
    expect(space.conditionDim).toBe(5);
    const n = 4000;
    const s = space.sample(n, new Rng(1));
    let oneHot = 0;
    for (let r = 0; r < n; r++) {
      const row = s.subarray(r * 5, r * 5 + 5);
      expect(row[0]).toBeGreaterThanOrEqual(0.1);
      expect(row[0]).toBeLessThanOrEqual(1);
      const styles = [...row.subarray(1)];
      if (styles.filter((v) => v === 0).length === 3 && styles.includes(1)) oneHot++;
      for (const v of styles) expect(v >= 0 && v <= 1).toBe(true);
    }
    // 25% one-hot; the box itself essentially never yields exact zeros.
    expect(oneHot / n).toBeGreaterThan(0.22);
    expect(oneHot / n).toBeLessThan(0.28);
    // Content [0.1, 1] and each style weight [0, 1] mapped onto [−1, 1]: the MLP's inputs are centred.
    const centred = [...space.condition([0.55, 0, 1, 0.25, 0.5], 1).dataSync()];
    [0, -1, 1, -0.5, 0].forEach((v, i) => expect(centred[i]).toBeCloseTo(v, 6));
    // The encoding of runs before the centred default, still available (their stored spaces keep it).
    const raw = defineSpace(styleSpaceSpec({ encoding: 'linear' }));
    expect([...raw.condition([0.5, 0, 1, 0, 0], 1).dataSync()]).toEqual([0.5, 0, 1, 0, 0]);
    expect(() => styleSpaceSpec({ encoding: 'log' as never })).toThrow(/encoding must be 'linear' or 'linearRange', got 'log'/);
  });

  it("contentSampling 'logUniform' draws the content weight log-uniformly (half the draws below 0.316) and feeds it as centred log λ", () => {
    const space = defineSpace(styleSpaceSpec({ contentSampling: 'logUniform' }));
    const n = 4000;
    const s = space.sample(n, new Rng(2));
    let low = 0;
    for (let r = 0; r < n; r++) {
      const c = s[r * 5];
      expect(c >= 0.1 && c <= 1).toBe(true);
      if (c < Math.sqrt(0.1)) low++;
    }
    // Uniform on [0.1, 1] puts 24% below √0.1; log-uniform 50%.
    expect(low / n).toBeGreaterThan(0.47);
    expect(low / n).toBeLessThan(0.53);
    expect(space.encodings).toEqual({ content: 'range', style1: 'linearRange', style2: 'linearRange', style3: 'linearRange', style4: 'linearRange' });
    const cond = [...space.condition([Math.sqrt(0.1), 0, 1, 0.5, 0.5], 1).dataSync()];
    [0, -1, 1, 0, 0].forEach((v, i) => expect(cond[i]).toBeCloseTo(v, 6));
    // Default: uniform, as every run before the option.
    expect(styleSpaceSpec().distribution).toEqual(styleSpaceSpec({ contentSampling: 'uniform' }).distribution);
    expect(() => styleSpaceSpec({ contentSampling: 'normal' as never })).toThrow("style space: contentSampling must be 'uniform' or 'logUniform', got 'normal'");
    expect(() => styleSpaceSpec({ contentSampling: 'logUniform', content: [0, 1] })).toThrow('style space: a log-uniform content weight needs a content range above 0, got [0, 1]');
  });

  it('names seven settings, all inside the training support', () => {
    const settings = styleSettings();
    expect(settings.map((s) => s.name)).toEqual(['balanced', 'content-heavy', 'style-heavy', 'style1-only', 'style2-only', 'style3-only', 'style4-only']);
    expect(settings[0].lambda).toEqual({ content: 0.55, style1: 0.5, style2: 0.5, style3: 0.5, style4: 0.5 });
    expect(settings[4].lambda).toEqual({ content: 0.55, style1: 0, style2: 1, style3: 0, style4: 0 });
    const grid = defineSpace(styleSpaceSpec()).evaluationGrid();
    expect(grid).toHaveLength(7);
    expect(() => styleSpaceSpec({ oneHotShare: 2 })).toThrow(/oneHotShare must be in \[0, 1\]/);
    expect(() => styleSpaceSpec({ content: [1, 0.5] })).toThrow(/content range/);
  });

  it('spaces weights evenly from low to high, both ends included, without float noise', () => {
    expect(evenWeights(0.1, 1, 3)).toEqual([0.1, 0.55, 1]);
    // 0.3 · 1/3 is 0.09999999999999999 in floating point.
    expect(evenWeights(0, 0.3, 4)).toEqual([0, 0.1, 0.2, 0.3]);
  });
});
