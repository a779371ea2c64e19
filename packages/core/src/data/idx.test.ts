import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { type IdxArray, encodeIdx, parseIdx, readIdx, readIdxSync } from './idx.js';

const dir = mkdtempSync(join(tmpdir(), 'yoto-idx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A hand-written big-endian file, independent of encodeIdx: 2×3 i16. */
function handMadeI16(): Uint8Array {
  const values = [1, -2, 300, -32768, 32767, 0];
  const b = new Uint8Array(4 + 8 + 12);
  b.set([0, 0, 0x0b, 2, 0, 0, 0, 2, 0, 0, 0, 3]);
  values.forEach((v, i) => {
    const u = v & 0xffff;
    b[12 + 2 * i] = u >> 8;
    b[13 + 2 * i] = u & 0xff;
  });
  return b;
}

describe('IDX reader', () => {
  it('reads hand-made big-endian data with its shape', () => {
    const a = parseIdx(handMadeI16());
    expect(a.type).toBe('i16');
    expect(a.shape).toEqual([2, 3]);
    expect([...a.data]).toEqual([1, -2, 300, -32768, 32767, 0]);
  });

  it('round-trips every type, plain and gzipped, from files', async () => {
    const cases: IdxArray[] = [
      { type: 'u8', shape: [3, 2, 2], data: Uint8Array.from({ length: 12 }, (_, i) => i * 20) },
      { type: 'i8', shape: [4], data: Int8Array.from([-128, -1, 0, 127]) },
      { type: 'i16', shape: [2, 2], data: Int16Array.from([-300, 5, 1000, -1]) },
      { type: 'i32', shape: [3], data: Int32Array.from([-2147483648, 7, 2147483647]) },
      { type: 'f32', shape: [2], data: Float32Array.from([1.5, -0.25]) },
      { type: 'f64', shape: [1, 2], data: Float64Array.from([Math.PI, -1e-300]) },
    ];
    for (const c of cases) {
      for (const gzip of [false, true]) {
        const file = join(dir, `${c.type}${gzip ? '.gz' : ''}`);
        writeFileSync(file, encodeIdx(c, { gzip }));
        for (const a of [readIdxSync(file), await readIdx(file)]) {
          expect(a.type).toBe(c.type);
          expect(a.shape).toEqual(c.shape);
          expect([...a.data]).toEqual([...c.data]);
        }
      }
    }
  });

  it('names the file and the expected size when truncated or too long', () => {
    const good = encodeIdx({ type: 'u8', shape: [10, 28, 28], data: new Uint8Array(7840) });
    const file = join(dir, 'truncated-images-idx3-ubyte');
    writeFileSync(file, good.subarray(0, good.length - 100));
    expect(() => readIdxSync(file)).toThrow(`${file}: truncated IDX file: expected 16-byte header + 10×28×28 u8 values = 7856 bytes, found 7756`);
    writeFileSync(file, Buffer.concat([good, Buffer.alloc(3)]));
    expect(() => readIdxSync(file)).toThrow(/3 unexpected trailing bytes/);
    writeFileSync(file, good.subarray(0, 10));
    expect(() => readIdxSync(file)).toThrow(/truncated IDX header: 3 dimensions need 16 bytes, file has 10/);
  });

  it('rejects wrong magic, unknown types and corrupt gzip clearly', () => {
    expect(() => parseIdx(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0]), 'x.png')).toThrow('x.png: not an IDX file: magic must start with 00 00, got 89 50 4e 47');
    expect(() => parseIdx(Uint8Array.from([0, 0, 0x0a, 1, 0, 0, 0, 1, 0]), 'f')).toThrow(/unknown IDX type code 0x0a/);
    expect(() => parseIdx(Uint8Array.from([0, 0, 0x08, 0]), 'f')).toThrow(/0 dimensions/);
    const gz = gzipSync(handMadeI16());
    expect(() => parseIdx(gz.subarray(0, gz.length - 6), 'cut.gz')).toThrow(/cut.gz: gzip data is corrupt or truncated/);
    expect(() => readIdxSync(join(dir, 'does-not-exist'))).toThrow(/cannot read IDX file .*does-not-exist/);
  });

  it('checks an expected type and shape', () => {
    const bytes = encodeIdx({ type: 'u8', shape: [5], data: new Uint8Array(5) });
    expect(parseIdx(bytes, 'labels', { type: 'u8', shape: [null] }).shape).toEqual([5]);
    expect(() => parseIdx(bytes, 'labels', { type: 'u8', shape: [null, 28, 28] })).toThrow('labels: expected IDX u8 [*, 28, 28], found u8 [5]');
    expect(() => parseIdx(bytes, 'labels', { type: 'f32' })).toThrow(/expected IDX f32/);
  });
});
