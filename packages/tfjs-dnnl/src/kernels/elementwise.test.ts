import { describe, expect, it } from 'vitest';
import { broadcastIteration, reductionDims } from './elementwise.js';

describe('broadcastIteration', () => {
  it('collapses equal shapes into one run', () => {
    expect(Array.from(broadcastIteration([3, 37, 41, 5], [3, 37, 41, 5])!)).toEqual([1, 22755, 1, 1]);
  });
  it('makes a bias over channels rows × channels with the bias’s row stride 0, however it is shaped', () => {
    expect(Array.from(broadcastIteration([8, 64, 64, 16], [16])!)).toEqual([2, 32768, 16, 16, 1, 0, 1]);
    expect(Array.from(broadcastIteration([8, 64, 64, 16], [1, 1, 1, 16])!)).toEqual([2, 32768, 16, 16, 1, 0, 1]);
  });
  it('broadcasts a scalar on either side, and a per-example factor', () => {
    expect(Array.from(broadcastIteration([], [17, 1031])!)).toEqual([1, 17527, 0, 1]);
    expect(Array.from(broadcastIteration([7, 29, 1, 97], [7, 1, 1, 1])!)).toEqual([2, 7, 2813, 2813, 1, 1, 0]);
  });
  it('broadcasts both operands at once (an outer sum)', () => {
    expect(Array.from(broadcastIteration([65, 1], [1, 257])!)).toEqual([2, 65, 257, 1, 0, 0, 1]);
  });
  it('gives up beyond 4 dimensions that do not merge', () => {
    expect(broadcastIteration([3, 1, 5, 1, 7, 1], [1, 4, 1, 6, 1, 8])).toBeNull();
  });
  it('keeps a single value as one', () => {
    expect(Array.from(broadcastIteration([1, 1], [])!)).toEqual([1, 1, 0, 0]);
  });
});

describe('reductionDims', () => {
  it('reads a reduction as [outer, reduced, inner], size-1 dims aside', () => {
    expect(reductionDims([8, 64, 64, 16], [0, 1, 2])).toEqual([1, 32768, 16]);
    expect(reductionDims([8, 64, 64, 16], [1, 2, 3])).toEqual([8, 65536, 1]);
    expect(reductionDims([8, 64, 64, 16], [1, 2])).toEqual([8, 4096, 16]);
    expect(reductionDims([1, 20011, 1, 3], [0, 1, 2])).toEqual([1, 20011, 3]);
  });
  it('gives up on reduced axes that are not adjacent', () => {
    expect(reductionDims([8, 33, 31, 16], [0, 2])).toBeNull();
  });
});
