// The scale hyperprior through the codec: two streams, decoded to exactly the encoder's pixels, a
// rate that is the file's bytes, and damaged files that fail by name instead of hanging or crashing.
import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@yoto/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BitstreamError, HEADER_BYTES, readBitstream, writeBitstream } from '../bitstream/format.js';
import { ScaleHyperprior } from '../model/scale-hyperprior.js';
import { bitstreamErrorCode } from '../testing/bitstream-error-code.js';
import { expectExactDecode } from '../testing/exact-decode.js';
import { syntheticImage, TINY, tinyHyperprior, tinyModel } from '../testing/fixtures.js';
import { codecContext, compressAt, decompress } from './codec.js';
import { hyperGrid } from './hyperprior-streams.js';
import { toImage, toPaddedTensor } from './image.js';

let model: ScaleHyperprior;
beforeAll(async () => {
  await initBackend();
  model = tinyHyperprior(true, 5);
  // Spread the predicted scales over many tables (an untrained h_s predicts nearly 0 everywhere):
  // a bias on the last hyper-synthesis conv moves σ from the scale bound into the table's middle.
  const bias = new Map(model.params.entries()).get('h_s/conv2/bias')!;
  bias.assign(tf.linspace(0.2, 6, bias.shape[0]));
});
afterAll(() => model.dispose());

describe('scale hyperprior codec', () => {
  const image = syntheticImage(90, 70, 3);

  it('decodes exactly the model’s quantized reconstruction, at several λ and sizes', () => {
    for (const [img, lambda] of [
      [image, 0.0018],
      [image, 0.18],
      [syntheticImage(17, 33, 4), 0.02],
      [syntheticImage(130, 20, 5), 0.05],
    ] as const)
      expectExactDecode(model, img, lambda, (ref) => {
        // The hyper-latent grid is ⌈h/4⌉ × ⌈w/4⌉ of the latent grid (no padding beyond 16 pixels).
        const [, hy, wy] = ref.y.shape;
        expect(ref.zSymbols.shape.slice(1, 3)).toEqual(hyperGrid(hy, wy));
      });
  });

  it('decodes a model with a λ-dependent quantization step exactly too', () => {
    const stepped = new ScaleHyperprior({ space: model.space, conditioned: true, seed: 4, config: { ...TINY, quantizationStep: 'lambda' } });
    for (const lambda of [0.0018, 0.18]) expectExactDecode(stepped, syntheticImage(48, 40, 6), lambda);
    stepped.dispose();
  });

  it('its rate is the file: header + side information + latents, within 5% above the estimate', () => {
    const large = syntheticImage(256, 192, 9);
    for (const lambda of [0.0018, 0.02, 0.18]) {
      const enc = compressAt(model, large, lambda);
      const { header, side, payload } = readBitstream(enc.bytes);
      expect([header.version, header.architecture, header.hyperChannels, header.latentChannels]).toEqual([2, 'hyperprior', 8, 16]);
      expect([side.length, payload.length]).toEqual([enc.sideBytes, enc.payloadBytes]);
      expect(enc.bytes.length).toBe(HEADER_BYTES + enc.sideBytes + enc.payloadBytes);
      expect(enc.bpp).toBe((enc.bytes.length * 8) / (large.width * large.height));
      expect(enc.sideBytes).toBeGreaterThan(0);
      // Above the estimate, not below: each rANS stream ends with a 4-byte state, and each value is coded
      // with the next table scale up (≤ 13% wider than its own σ), as in CompressAI. Measured: 3.8% at λ = 0.0018.
      const coded = (enc.sideBytes + enc.payloadBytes) * 8;
      expect(coded / enc.estimatedBits).toBeGreaterThan(0.995);
      expect(coded / enc.estimatedBits).toBeLessThan(1.05);
    }
  });

  it('a fixed-λ scale hyperprior codes and decodes at its own λ', () => {
    const space = tinyModel().space;
    const base = tinyHyperprior(false, 2, space);
    const enc = compressAt(base, image, 0.05);
    const x = toPaddedTensor(image);
    const ref = base.quantizedForward(x, 0.05);
    expect(decompress(base, enc.bytes).image).toEqual(toImage(ref.xHat, image.width, image.height));
    tf.dispose([x, ...Object.values(ref)]);
    base.dispose();
  });

  it('names a file of the other architecture, another model, or a wrong hyper-latent count', () => {
    const factorized = tinyModel(true, 5);
    const fBytes = compressAt(factorized, image, 0.02).bytes;
    expect(() => decompress(model, fBytes)).toThrow(/^bitstream was coded by a factorized-prior model; this is a scale-hyperprior model/);
    expect(() => decompress(factorized, compressAt(model, image, 0.02).bytes)).toThrow(/coded by a scale-hyperprior model; this is a factorized-prior model/);
    factorized.dispose();
    const other = tinyHyperprior(true, 6);
    expect(bitstreamErrorCode(() => decompress(other, compressAt(model, image, 0.02).bytes))).toBe('model-mismatch');
    other.dispose();
    const { header, payload, side } = readBitstream(compressAt(model, image, 0.02).bytes);
    expect(() => decompress(model, writeBitstream({ ...header, hyperChannels: 4 }, payload, side))).toThrow(/4 hyper-latent channels, the model has 8/);
  });

  it('survives 600 mutated files (checksums fixed up, so the entropy decoders see the damage) and every truncation', () => {
    const small = syntheticImage(40, 36, 8);
    const ctx = codecContext(model);
    const { bytes } = compressAt(model, small, 0.05, ctx);
    const { header, payload, side } = readBitstream(bytes);
    const rng = new Rng(23);
    const mutate = (s: Uint8Array, k: number): Uint8Array => {
      let p = s.slice();
      if (k % 3 === 0) p = p.subarray(0, rng.int(p.length));
      else if (k % 3 === 1) for (let j = 0; j <= rng.int(3); j++) p[rng.int(p.length)] ^= 1 + rng.int(255);
      else p = Uint8Array.from({ length: rng.int(2 * p.length + 2) }, () => rng.int(256));
      return p;
    };
    let rejected = 0;
    for (let k = 0; k < 600; k++) {
      // Damage the side information, the latents, or both.
      const s = k % 2 === 0 ? mutate(side, k) : side;
      const p = k % 4 !== 0 ? mutate(payload, k >> 1) : payload;
      try {
        expect(decompress(model, writeBitstream({ ...header }, p, s), {}, ctx).image.data.length).toBe(40 * 36 * 3);
      } catch (err) {
        expect(err).toBeInstanceOf(BitstreamError);
        expect((err as BitstreamError).code).toBe('corrupt-payload');
        expect((err as Error).message).toMatch(/^bitstream (side information|payload) cannot be decoded: /);
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(500);
    for (let n = 0; n < bytes.length; n++) expect(bitstreamErrorCode(() => decompress(model, bytes.subarray(0, n), {}, ctx)), `length ${n}`).toBe('truncated');
  });
});
