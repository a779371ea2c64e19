import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { gunzipSync, gzipSync } from 'node:zlib';

/**
 * The IDX format of MNIST-like datasets: two zero bytes, a type code, the number of dimensions, one
 * big-endian uint32 per dimension, then the values big-endian in row-major order. Files are often
 * gzipped; the gzip magic (1f 8b) is detected so either form reads the same.
 */
export type IdxType = 'u8' | 'i8' | 'i16' | 'i32' | 'f32' | 'f64';

export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  type: IdxType;
  shape: number[];
  data: IdxData;
}

const TYPES: Record<number, { type: IdxType; bytes: number }> = {
  0x08: { type: 'u8', bytes: 1 },
  0x09: { type: 'i8', bytes: 1 },
  0x0b: { type: 'i16', bytes: 2 },
  0x0c: { type: 'i32', bytes: 4 },
  0x0d: { type: 'f32', bytes: 4 },
  0x0e: { type: 'f64', bytes: 8 },
};

const CODES: Record<IdxType, number> = { u8: 0x08, i8: 0x09, i16: 0x0b, i32: 0x0c, f32: 0x0d, f64: 0x0e };

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Expectations checked after parsing (e.g. `{ type: 'u8', shape: [null, 28, 28] }`; null = any). */
export interface IdxExpectation {
  type?: IdxType;
  shape?: readonly (number | null)[];
}

/**
 * Parses IDX bytes (plain or gzipped). `source` names the file in errors. A u8/i8 array is a view
 * into the (decompressed) bytes; wider types are copied, converting from big-endian.
 */
export function parseIdx(input: Uint8Array, source = 'IDX data', expect?: IdxExpectation): IdxArray {
  let bytes = input;
  if (isGzip(bytes)) {
    try {
      bytes = new Uint8Array(gunzipSync(bytes));
    } catch (e) {
      throw new Error(`${source}: gzip data is corrupt or truncated (${(e as Error).message})`);
    }
  }
  if (bytes.length < 4) throw new Error(`${source}: not an IDX file: ${bytes.length} bytes, the header alone needs at least 4`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const got = [...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new Error(`${source}: not an IDX file: magic must start with 00 00, got ${got}`);
  }
  const t = TYPES[bytes[2]];
  if (!t) throw new Error(`${source}: unknown IDX type code 0x${bytes[2].toString(16).padStart(2, '0')} (expected 08 u8, 09 i8, 0b i16, 0c i32, 0d f32 or 0e f64)`);
  const ndim = bytes[3];
  if (ndim === 0) throw new Error(`${source}: IDX header declares 0 dimensions`);
  const headerBytes = 4 + 4 * ndim;
  if (bytes.length < headerBytes)
    throw new Error(`${source}: truncated IDX header: ${ndim} dimensions need ${headerBytes} bytes, file has ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < ndim; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const expectedBytes = headerBytes + count * t.bytes;
  const desc = `${headerBytes}-byte header + ${shape.join('×')} ${t.type} values = ${expectedBytes} bytes`;
  if (bytes.length < expectedBytes) throw new Error(`${source}: truncated IDX file: expected ${desc}, found ${bytes.length}`);
  if (bytes.length > expectedBytes)
    throw new Error(`${source}: IDX file has ${bytes.length - expectedBytes} unexpected trailing bytes (expected ${desc}, found ${bytes.length})`);
  const data = decodeValues(view, headerBytes, count, t.type, bytes);
  const out: IdxArray = { type: t.type, shape, data };
  if (expect) checkExpectation(out, expect, source);
  return out;
}

function decodeValues(view: DataView, offset: number, count: number, type: IdxType, bytes: Uint8Array): IdxData {
  switch (type) {
    case 'u8':
      return bytes.subarray(offset, offset + count);
    case 'i8':
      return new Int8Array(bytes.buffer, bytes.byteOffset + offset, count);
    case 'i16': {
      const a = new Int16Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getInt16(offset + 2 * i, false);
      return a;
    }
    case 'i32': {
      const a = new Int32Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getInt32(offset + 4 * i, false);
      return a;
    }
    case 'f32': {
      const a = new Float32Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getFloat32(offset + 4 * i, false);
      return a;
    }
    case 'f64': {
      const a = new Float64Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getFloat64(offset + 8 * i, false);
      return a;
    }
  }
}

function checkExpectation(a: IdxArray, expect: IdxExpectation, source: string): void {
  const want = expect.shape;
  const shapeOk = !want || (want.length === a.shape.length && want.every((d, i) => d === null || d === a.shape[i]));
  if ((expect.type && expect.type !== a.type) || !shapeOk) {
    const wantShape = want ? `[${want.map((d) => (d === null ? '*' : d)).join(', ')}]` : 'any shape';
    throw new Error(`${source}: expected IDX ${expect.type ?? 'any type'} ${wantShape}, found ${a.type} [${a.shape.join(', ')}]`);
  }
}

export function readIdxSync(file: string, expect?: IdxExpectation): IdxArray {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new Error(`cannot read IDX file ${file}: ${(e as Error).message}`);
  }
  return parseIdx(bytes, file, expect);
}

export async function readIdx(file: string, expect?: IdxExpectation): Promise<IdxArray> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new Error(`cannot read IDX file ${file}: ${(e as Error).message}`);
  }
  return parseIdx(bytes, file, expect);
}

/** Serialises an array to IDX (for tests, fixtures and derived datasets); gzipped on request. */
export function encodeIdx(a: IdxArray, options: { gzip?: boolean } = {}): Uint8Array {
  const count = a.shape.reduce((x, y) => x * y, 1);
  if (a.data.length !== count) throw new Error(`encodeIdx: shape [${a.shape.join(', ')}] needs ${count} values, got ${a.data.length}`);
  if (a.shape.length === 0 || a.shape.length > 255) throw new Error(`encodeIdx: IDX needs 1 to 255 dimensions, got ${a.shape.length}`);
  const t = TYPES[CODES[a.type]];
  const header = 4 + 4 * a.shape.length;
  const out = new Uint8Array(header + count * t.bytes);
  const view = new DataView(out.buffer);
  out[2] = CODES[a.type];
  out[3] = a.shape.length;
  a.shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < count; i++) {
    const o = header + i * t.bytes;
    const v = a.data[i];
    switch (a.type) {
      case 'u8': view.setUint8(o, v); break;
      case 'i8': view.setInt8(o, v); break;
      case 'i16': view.setInt16(o, v, false); break;
      case 'i32': view.setInt32(o, v, false); break;
      case 'f32': view.setFloat32(o, v, false); break;
      case 'f64': view.setFloat64(o, v, false); break;
    }
  }
  return options.gzip ? new Uint8Array(gzipSync(out)) : out;
}
