import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256 } from './sha256.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('sha256 (browser-safe)', () => {
  it('gives the FIPS 180-4 digests of the standard messages', () => {
    expect(hex(sha256(new TextEncoder().encode('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hex(sha256(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex(sha256(new TextEncoder().encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('agrees with node:crypto at every length around the block and padding boundaries, and on views', () => {
    const data = Uint8Array.from({ length: 300 }, (_, i) => (i * 131 + 7) & 255);
    for (const n of [1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 191, 299]) expect(hex(sha256(data.subarray(0, n)))).toBe(createHash('sha256').update(data.subarray(0, n)).digest('hex'));
    const view = data.subarray(3, 203);
    expect(hex(sha256(view))).toBe(createHash('sha256').update(view).digest('hex'));
  });
});
