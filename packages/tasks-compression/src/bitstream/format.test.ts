import { Rng } from '@yoto/core';
import { describe, expect, it } from 'vitest';
import { bitstreamErrorCode } from '../testing/bitstream-error-code.js';
import { crc32 } from './crc32.js';
import { readFileSync } from 'node:fs';
import { HEADER_BYTES, HEADER_BYTES_V1, readBitstream, writeBitstream } from './format.js';

const header = {
  fingerprint: '0123456789abcdef',
  lambda: 0.0130001,
  width: 767,
  height: 509,
  padRight: 1,
  padBottom: 3,
  channels: 3,
  latentChannels: 96,
};

describe('CRC-32', () => {
  it('matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});

describe('bitstream format', () => {
  const payload = Uint8Array.from({ length: 300 }, (_, i) => (i * 37) & 0xff);
  const file = writeBitstream(header, payload);

  it('round-trips header fields exactly and the payload', () => {
    expect(file.length).toBe(HEADER_BYTES + payload.length);
    const { header: h, payload: p } = readBitstream(file);
    expect(h).toEqual({ ...header, version: 2, architecture: 'factorized', hyperChannels: 0 });
    expect(p).toEqual(payload);
    expect(readBitstream(writeBitstream(header, new Uint8Array(0))).payload.length).toBe(0);
  });

  it('names what is wrong: foreign, version, truncated, trailing, corrupt', () => {
    expect(() => readBitstream(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toThrow(/not a YOTO bitstream: starts with 0x89 0x50/);
    const v3 = file.slice();
    v3[4] = 3;
    expect(() => readBitstream(v3)).toThrow(/^bitstream format version 3 is not supported: this decoder reads versions 1 and 2 \(the file was written by a newer encoder\)$/);
    v3[4] = 0;
    expect(bitstreamErrorCode(() => readBitstream(v3))).toBe('unsupported-version');
    expect(() => readBitstream(file.subarray(0, 20))).toThrow(/shorter than the 56-byte header of version 2/);
    expect(() => readBitstream(file.subarray(0, file.length - 1))).toThrow(/announces 300 stream bytes, file holds 299/);
    const longer = new Uint8Array(file.length + 5);
    longer.set(file);
    expect(() => readBitstream(longer)).toThrow(/5 unexpected bytes/);
    const badPayload = file.slice();
    badPayload[HEADER_BYTES + 10] ^= 4;
    expect(() => readBitstream(badPayload)).toThrow(/payload is corrupt/);
    const badHeader = file.slice();
    badHeader[25] ^= 1;
    expect(() => readBitstream(badHeader)).toThrow(/header is corrupt/);
    expect(() => readBitstream(new Uint8Array(0))).toThrow(/truncated/);
  });

  it('rejects every single-byte change and every truncation (fuzz)', () => {
    const rng = new Rng(8);
    for (let i = 0; i < file.length; i++) {
      const m = file.slice();
      m[i] ^= 1 + rng.int(255);
      const code = bitstreamErrorCode(() => readBitstream(m));
      // Byte 4 turned into 1 reads the file as version 1, whose header checksum then fails.
      const expected = i < 4 ? 'not-yoto' : i === 4 ? (m[4] === 1 ? 'corrupt-header' : 'unsupported-version') : i < HEADER_BYTES ? 'corrupt-header' : 'corrupt-payload';
      expect(code, `byte ${i}`).toBe(expected);
    }
    for (let n = 0; n < file.length; n++) expect(bitstreamErrorCode(() => readBitstream(file.subarray(0, n))), `length ${n}`).toBe('truncated');
  });

  it('writes the side information before the latents and checks both; a v2 file turned into v1 is refused', () => {
    const side = Uint8Array.from({ length: 40 }, (_, i) => (i * 11) & 0xff);
    const hyper = writeBitstream({ ...header, architecture: 'hyperprior', hyperChannels: 64 }, payload, side);
    expect(hyper.length).toBe(HEADER_BYTES + side.length + payload.length);
    const r = readBitstream(hyper);
    expect(r.header).toMatchObject({ version: 2, architecture: 'hyperprior', hyperChannels: 64 });
    expect([r.side, r.payload]).toEqual([side, payload]);
    for (const at of [HEADER_BYTES + 3, HEADER_BYTES + side.length + 3]) {
      const m = hyper.slice();
      m[at] ^= 0x20;
      expect(bitstreamErrorCode(() => readBitstream(m))).toBe('corrupt-payload');
    }
    for (let n = 0; n < hyper.length; n++) expect(bitstreamErrorCode(() => readBitstream(hyper.subarray(0, n))), `length ${n}`).toBe('truncated');
    const asV1 = hyper.slice();
    asV1[4] = 1;
    expect(bitstreamErrorCode(() => readBitstream(asV1))).toBe('corrupt-header');
    expect(() => writeBitstream({ ...header, architecture: 'factorized' }, payload, side)).toThrow(/factorized-prior file has no side information/);
    expect(() => writeBitstream({ ...header, architecture: 'hyperprior', hyperChannels: 0 }, payload, side)).toThrow(/hyper-latent channels ≥ 1/);
  });

  it('reads version 1 files (factorized prior, 48-byte header): the pinned file of the previous format', () => {
    const v1 = new Uint8Array(readFileSync(new URL('../codec/__golden__/tiny-64x48-lambda0.01.yoto', import.meta.url)));
    expect(v1[4]).toBe(1);
    const r = readBitstream(v1);
    expect(r.header).toMatchObject({ version: 1, architecture: 'factorized', hyperChannels: 0, width: 64, height: 48, lambda: 0.01, latentChannels: 16 });
    expect([r.side.length, r.payload.length]).toEqual([0, v1.length - HEADER_BYTES_V1]);
    const cut = v1.subarray(0, 40);
    expect(() => readBitstream(cut)).toThrow(/shorter than the 48-byte header of version 1/);
  });

  it('refuses to write impossible headers', () => {
    expect(() => writeBitstream({ ...header, lambda: -1 }, payload)).toThrow(/λ must be/);
    expect(() => writeBitstream({ ...header, width: 0 }, payload)).toThrow(/width/);
    expect(() => writeBitstream({ ...header, fingerprint: 'xyz' }, payload)).toThrow(/fingerprint/);
  });
});
