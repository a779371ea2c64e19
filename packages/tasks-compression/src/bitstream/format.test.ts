import { Rng } from '@yoto/core';
import { describe, expect, it } from 'vitest';
import { bitstreamErrorCode } from '../testing/bitstream-error-code.js';
import { crc32 } from './crc32.js';
import { HEADER_BYTES, readBitstream, writeBitstream } from './format.js';

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
    expect(h).toEqual({ ...header, version: 1 });
    expect(p).toEqual(payload);
    expect(readBitstream(writeBitstream(header, new Uint8Array(0))).payload.length).toBe(0);
  });

  it('names what is wrong: foreign, version, truncated, trailing, corrupt', () => {
    expect(() => readBitstream(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toThrow(/not a YOTO bitstream: starts with 0x89 0x50/);
    const v2 = file.slice();
    v2[4] = 2;
    expect(() => readBitstream(v2)).toThrow(/format version 2 is not supported/);
    expect(() => readBitstream(file.subarray(0, 20))).toThrow(/shorter than the 48-byte header/);
    expect(() => readBitstream(file.subarray(0, file.length - 1))).toThrow(/announces 300 payload bytes, file holds 299/);
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
      const expected = i < 4 ? 'not-yoto' : i === 4 ? 'unsupported-version' : i < HEADER_BYTES ? 'corrupt-header' : 'corrupt-payload';
      expect(code, `byte ${i}`).toBe(expected);
    }
    for (let n = 0; n < file.length; n++) expect(bitstreamErrorCode(() => readBitstream(file.subarray(0, n))), `length ${n}`).toBe('truncated');
  });

  it('refuses to write impossible headers', () => {
    expect(() => writeBitstream({ ...header, lambda: -1 }, payload)).toThrow(/λ must be/);
    expect(() => writeBitstream({ ...header, width: 0 }, payload)).toThrow(/width/);
    expect(() => writeBitstream({ ...header, fingerprint: 'xyz' }, payload)).toThrow(/fingerprint/);
  });
});
