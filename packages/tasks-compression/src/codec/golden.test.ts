// Golden bitstreams, as CompressAI pins its bitstreams: tiny seeded models code a small synthetic
// image on the cpu backend, and each file must be byte-identical to the one in __golden__ (its
// SHA-256 is pinned here too, so a changed golden file shows up in review). A refactor that moves
// one byte of the format, the models' arithmetic or the entropy coder fails here. After a
// deliberate format change: YOTO_UPDATE_GOLDEN=1 pnpm vitest run <this file>, and bump the format.
// The version-1 file (the format before the scale hyperprior) is no longer written; it is kept to
// prove that old files still decode to the same pixels.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { initBackend } from '@yoto/core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CompressionModel } from '../model/compression-model.js';
import { syntheticImage, tinyHyperprior, tinyModel } from '../testing/fixtures.js';
import { compressAt, decompress } from './codec.js';

const golden = (name: string): string => new URL(`./__golden__/${name}`, import.meta.url).pathname;
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Codes the fixture image at λ = 0.01 and compares file and decoded pixels with the golden ones. */
function expectGolden(model: CompressionModel, name: string, pinned: { file: string; decodedPixels: string }): void {
  const { bytes } = compressAt(model, syntheticImage(64, 48, 4), 0.01);
  if (process.env.YOTO_UPDATE_GOLDEN === '1') {
    writeFileSync(golden(name), bytes);
    console.log(`golden ${name}: ${bytes.length} bytes, sha256 ${sha256(bytes)}, decoded ${sha256(decompress(model, bytes).image.data)}`);
  }
  const file = new Uint8Array(readFileSync(golden(name)));
  expect(sha256(file)).toBe(pinned.file);
  expect(Buffer.from(bytes).equals(Buffer.from(file))).toBe(true);
  expect(sha256(decompress(model, file).image.data)).toBe(pinned.decodedPixels);
}

describe('the .yoto bitstream is pinned by golden files', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('version 1 (factorized prior, the previous format) still decodes to the same pixels', () => {
    const model = tinyModel(true, 1);
    const file = new Uint8Array(readFileSync(golden('tiny-64x48-lambda0.01.yoto')));
    expect(sha256(file)).toBe('55e5f71fcc4e8de1b35236e8261a253bf837e59ac05112b214bb3c913239bea5');
    expect(file[4]).toBe(1);
    expect(sha256(decompress(model, file).image.data)).toBe('92b3e368f5ecf80d105cc7f9e0d612a811c15b5d9d66e5d83933614d4067eb83');
    model.dispose();
  });

  it('version 2, factorized prior: the same bytes and pixels (the pixels are those of the version 1 file)', () => {
    const model = tinyModel(true, 1);
    expectGolden(model, 'tiny-64x48-lambda0.01-v2.yoto', {
      file: '6530967dafacc6166f9ebbe2b9a60a9bbf22818bb8fc403f05ca91a4d9c0c13c',
      decodedPixels: '92b3e368f5ecf80d105cc7f9e0d612a811c15b5d9d66e5d83933614d4067eb83',
    });
    model.dispose();
  });

  it('version 2, scale hyperprior: side information and latents, the same bytes and pixels', () => {
    const model = tinyHyperprior(true, 1);
    expectGolden(model, 'tiny-hyperprior-64x48-lambda0.01.yoto', {
      file: 'c530e89d15621f2636e651c247fa97fd5dd0b5c36cc254d6d805e23413321e83',
      decodedPixels: '0f58b34923e473847c94b0a1c2cd7d858c7976f137df6d1a7ffeccf154dfce69',
    });
    model.dispose();
  });
});
