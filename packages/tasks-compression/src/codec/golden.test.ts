// Golden bitstream, as CompressAI pins its bitstreams: a tiny seeded model codes a small synthetic
// image on the cpu backend, and the file must be byte-identical to the one in __golden__ (its
// SHA-256 is pinned here too, so a changed golden file shows up in review). A refactor that moves
// one byte of the format, the model's arithmetic or the entropy coder fails here. After a
// deliberate format change: YOTO_UPDATE_GOLDEN=1 pnpm vitest run <this file>, and bump the format.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { initBackend } from '@yoto/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { syntheticImage, tinyModel } from '../testing/fixtures.js';
import { compressAt, decompress } from './codec.js';

const FILE = new URL('./__golden__/tiny-64x48-lambda0.01.yoto', import.meta.url).pathname;
const PINNED = {
  file: '55e5f71fcc4e8de1b35236e8261a253bf837e59ac05112b214bb3c913239bea5',
  decodedPixels: '92b3e368f5ecf80d105cc7f9e0d612a811c15b5d9d66e5d83933614d4067eb83',
};
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('the .yoto bitstream is pinned by a golden file', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('a tiny model codes the same bytes and decodes the same pixels', () => {
    const model = tinyModel(true, 1);
    const image = syntheticImage(64, 48, 4);
    const { bytes } = compressAt(model, image, 0.01);
    if (process.env.YOTO_UPDATE_GOLDEN === '1') {
      writeFileSync(FILE, bytes);
      console.log(`golden ${FILE}: ${bytes.length} bytes, sha256 ${sha256(bytes)}, decoded ${sha256(decompress(model, bytes).image.data)}`);
    }
    const golden = new Uint8Array(readFileSync(FILE));
    expect(sha256(golden)).toBe(PINNED.file);
    expect(Buffer.from(bytes).equals(Buffer.from(golden))).toBe(true);
    expect(sha256(decompress(model, golden).image.data)).toBe(PINNED.decodedPixels);
    model.dispose();
  });
});
