import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { encodePng, initBackend, Rng } from '@yoto/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bitstreamErrorCode } from '../testing/bitstream-error-code.js';
import { BitstreamError, HEADER_BYTES, readBitstream, writeBitstream } from '../bitstream/format.js';
import { FactorizedPrior } from '../model/factorized-prior.js';
import { BlsFactorizedTask } from '../task/bls-task.js';
import { expectExactDecode } from '../testing/exact-decode.js';
import { makeRateIncreaseWithLambda, syntheticImage, TINY, tinyModel } from '../testing/fixtures.js';
import { codecContext, compress, compressAt, compressToBpp, decompress } from './codec.js';
import { compressFile, decompressFile, readImageFile } from './files.js';
import { cropImage, toImage, toPaddedTensor } from './image.js';

let dir: string;
beforeAll(async () => {
  await initBackend();
  dir = mkdtempSync(join(tmpdir(), 'yoto-codec-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('codec', () => {
  let model: FactorizedPrior;
  beforeAll(() => {
    model = tinyModel(true, 7);
    makeRateIncreaseWithLambda(model);
  });
  const image = syntheticImage(200, 150, 5);

  it('decodes exactly the model’s quantized reconstruction (same float tensor, same bytes)', () => {
    for (const lambda of [0.0018, 0.02, 0.18]) expectExactDecode(model, image, lambda);
  });

  it('decodes a model with a λ-dependent quantization step exactly too', () => {
    const space = new BlsFactorizedTask().defaultSpace();
    const stepped = new FactorizedPrior({ space, conditioned: true, seed: 7, config: { ...TINY, quantizationStep: 'lambda' } });
    const small = syntheticImage(48, 40, 6);
    for (const lambda of [0.0018, 0.18]) {
      const enc = compressAt(stepped, small, lambda);
      const x = toPaddedTensor(small);
      const ref = stepped.quantizedForward(x, lambda);
      expect(decompress(stepped, enc.bytes).image).toEqual(toImage(ref.xHat, small.width, small.height));
      tf.dispose([x, ref.y, ref.symbols, ref.yHat, ref.xHat, ref.bits]);
    }
    stepped.dispose();
  });

  it('codes within 2% of the model’s estimated bits', () => {
    for (const [img, lambda] of [
      [image, 0.0018],
      [image, 0.18],
      [syntheticImage(256, 192, 9), 0.02],
    ] as const) {
      const enc = compressAt(model, img, lambda);
      const coded = enc.payloadBytes * 8;
      expect(Math.abs(coded - enc.estimatedBits) / enc.estimatedBits).toBeLessThan(0.02);
      expect(enc.bytes.length).toBe(enc.payloadBytes + HEADER_BYTES);
    }
  });

  it('crops an 8-bit image window and refuses windows that do not fit', () => {
    const c = cropImage(image, 10, 20, 3, 2);
    expect(Array.from(c.data.subarray(0, 3))).toEqual(Array.from(image.data.subarray((20 * 200 + 10) * 3, (20 * 200 + 10) * 3 + 3)));
    expect(Array.from(c.data.subarray(9, 12))).toEqual(Array.from(image.data.subarray((21 * 200 + 10) * 3, (21 * 200 + 10) * 3 + 3)));
    expect(() => cropImage(image, 199, 0, 2, 1)).toThrow(/does not fit a 200×150 image/);
  });

  it('handles any image size by padding to 16 and cropping back', () => {
    for (const [w, h] of [
      [1, 1],
      [17, 5],
      [16, 33],
      [40, 40],
    ]) {
      const img = syntheticImage(w, h, w * h);
      const enc = compressAt(model, img, 0.05);
      const { header } = readBitstream(enc.bytes);
      expect([header.width, header.height]).toEqual([w, h]);
      expect((w + header.padRight) % 16).toBe(0);
      expect((h + header.padBottom) % 16).toBe(0);
      const dec = decompress(model, enc.bytes).image;
      expect([dec.width, dec.height, dec.data.length]).toEqual([w, h, w * h * 3]);
    }
  });

  it('round-trips through files: PNG → .yoto → PNG', async () => {
    const png = join(dir, 'in.png');
    writeFileSync(png, await encodePng(image.data, image.width, image.height, 3));
    const yoto = join(dir, 'out.yoto');
    const enc = await compressFile(model, png, yoto, { lambda: 0.03 });
    expect(new Uint8Array(readFileSync(yoto))).toEqual(enc.bytes);
    const out = join(dir, 'out.png');
    const dec = await decompressFile(model, yoto, out);
    expect((await readImageFile(out)).data).toEqual(dec.image.data);
    expect(dec.header.lambda).toBe(0.03);
    await expect(decompressFile(model, yoto, join(dir, 'x.jpg'))).rejects.toThrow(/only \.png/);
  });

  it('reads gray PNGs as RGB and refuses transparent ones unless flattened', async () => {
    const gray = join(dir, 'gray.png');
    writeFileSync(gray, await encodePng(Uint8Array.from({ length: 20 * 10 }, (_, i) => i), 20, 10, 1));
    const g = await readImageFile(gray);
    expect([g.width, g.height, g.data.length]).toEqual([20, 10, 600]);
    expect([g.data[3 * 7], g.data[3 * 7 + 1], g.data[3 * 7 + 2]]).toEqual([7, 7, 7]);
    const rgba = join(dir, 'rgba.png');
    const px = Uint8Array.from({ length: 8 * 8 * 4 }, (_, i) => (i % 4 === 3 ? (i < 100 ? 0 : 255) : 200));
    writeFileSync(rgba, await encodePng(px, 8, 8, 4));
    await expect(compressFile(model, rgba, join(dir, 'a.yoto'), { lambda: 0.01 })).rejects.toThrow(/transparent pixels/);
    const flat = await compressFile(model, rgba, join(dir, 'a.yoto'), { lambda: 0.01 }, { alpha: 'flatten' });
    expect(flat.bytes.length).toBeGreaterThan(HEADER_BYTES);
  });

  it('finds λ for a target rate on the single model', () => {
    const low = compressAt(model, image, 0.0018).bpp;
    const high = compressAt(model, image, 0.18).bpp;
    expect(high).toBeGreaterThan(low * 1.2);
    const target = (low + high) / 2;
    const r = compressToBpp(model, image, target);
    expect(r.reached).toBe(true);
    expect(r.bpp).toBeLessThanOrEqual(target);
    expect(r.bpp).toBeGreaterThan(target * 0.97);
    expect(r.probes.length).toBe(16);
    // Above the model's top rate: best quality; below its bottom rate: lowest λ, flagged.
    expect(compressToBpp(model, image, high * 2).lambda).toBe(0.18);
    const under = compressToBpp(model, image, low / 2);
    expect([under.reached, under.lambda]).toEqual([false, 0.0018]);
    expect(compress(model, image, { targetBpp: target }).bytes).toEqual(r.bytes);
  });

  it('refuses what it cannot do, with clear errors', () => {
    expect(() => compressAt(model, image, 0.5)).toThrow(/outside what this model supports: it covers λ in \[0.0018, 0.18\]/);
    expect(() => compressAt(model, image, -1)).toThrow(/λ must be a finite number > 0/);
    expect(() => compressAt(model, { width: 4, height: 4, data: new Uint8Array(16) }, 0.01)).toThrow(/gray image/);
    expect(() => compressAt(model, { width: 4, height: 4, data: new Uint8Array(64) }, 0.01)).toThrow(/RGBA/);
    const base = tinyModel(false, 3);
    expect(() => compressToBpp(base, image, 0.5)).toThrow(/needs a λ-conditioned \(YOTO\) model/);
    base.dispose();
  });

  it('names what is wrong with truncated, corrupted, foreign and other-model files', () => {
    const { bytes } = compressAt(model, image, 0.02);
    expect(bitstreamErrorCode(() => decompress(model, bytes.subarray(0, bytes.length - 3)))).toBe('truncated');
    const flipped = bytes.slice();
    flipped[HEADER_BYTES + 5] ^= 0x10;
    expect(bitstreamErrorCode(() => decompress(model, flipped))).toBe('corrupt-payload');
    expect(bitstreamErrorCode(() => decompress(model, new TextEncoder().encode('GIF89a......')))).toBe('not-yoto');
    const other = tinyModel(true, 8);
    expect(() => decompress(other, bytes)).toThrow(/made by model [0-9a-f]{16}, not by this model/);
    other.dispose();
  });

  it('survives 1000 mutated files (checksums fixed up, so the entropy decoder sees the damage)', () => {
    const small = syntheticImage(32, 32, 2);
    const ctx = codecContext(model);
    const { bytes } = compressAt(model, small, 0.05, ctx);
    const { header, payload } = readBitstream(bytes);
    const rng = new Rng(17);
    let rejected = 0;
    for (let k = 0; k < 1000; k++) {
      let p = payload.slice();
      if (k % 3 === 0) p = p.subarray(0, rng.int(p.length));
      else if (k % 3 === 1) for (let j = 0; j <= rng.int(3); j++) p[rng.int(p.length)] ^= 1 + rng.int(255);
      else p = Uint8Array.from({ length: rng.int(2 * p.length) }, () => rng.int(256));
      const file = writeBitstream({ ...header }, p);
      try {
        const out = decompress(model, file, {}, ctx).image;
        expect(out.data.length).toBe(32 * 32 * 3);
      } catch (err) {
        expect(err).toBeInstanceOf(BitstreamError);
        expect((err as BitstreamError).code).toBe('corrupt-payload');
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(900);
  });

  it('refuses crafted headers: huge images, wrong padding, λ out of range', () => {
    const { bytes } = compressAt(model, image, 0.02);
    const { header, payload } = readBitstream(bytes);
    expect(() => decompress(model, writeBitstream({ ...header, width: 100_000, height: 100_000, padRight: 0, padBottom: 0 }, payload))).toThrow(/more than the decoder's limit/);
    expect(() => decompress(model, writeBitstream({ ...header, padRight: 3 }, payload))).toThrow(/padding/);
    expect(() => decompress(model, writeBitstream({ ...header, lambda: 5 }, payload))).toThrow(/bitstream λ: λ = 5 is outside/);
    expect(() => decompress(model, writeBitstream({ ...header, latentChannels: 3 }, payload))).toThrow(/3 latent channels, the model has 16/);
  });
});
