import { describe, expect, it } from 'vitest';
import { sameLambda } from './values.js';

describe('sameLambda', () => {
  it('matches λ vectors up to rounding, in any key order, and nothing else', () => {
    expect(sameLambda({ kl: 0.5, reconstruction: 1 }, { reconstruction: 1, kl: 0.5 + 1e-12 })).toBe(true);
    // Relative: a small coefficient is matched at its own scale, not within an absolute 1e-6.
    expect(sameLambda({ distortion: 0.0018 }, { distortion: 0.0018 * (1 + 1e-9) })).toBe(true);
    expect(sameLambda({ distortion: 1e-9 }, { distortion: 2e-9 })).toBe(false);
    expect(sameLambda({ kl: 0.5 }, { kl: 0.51 })).toBe(false);
    expect(sameLambda({ kl: 0.5 }, { kl: 0.5, reconstruction: 1 })).toBe(false);
    expect(sameLambda({ kl: 0.5, rate: 1 }, { kl: 0.5, reconstruction: 1 })).toBe(false);
  });
});
