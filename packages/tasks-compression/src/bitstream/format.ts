import { crc32 } from './crc32.js';

/**
 * The `.yoto` file: a fixed 48-byte header, then the coded latents.
 *
 * | offset | size | field                                                        |
 * |-------:|-----:|--------------------------------------------------------------|
 * |      0 |    4 | magic `YLIC` (YOTO learned image codec)                       |
 * |      4 |    1 | format version (1)                                           |
 * |      5 |    1 | flags, 0 (reserved)                                           |
 * |      6 |    8 | model fingerprint (first 8 bytes of a SHA-256, see fingerprint.ts) |
 * |     14 |    8 | λ, float64 big-endian (the exact value the encoder used)       |
 * |     22 |    4 | image width, uint32 BE                                        |
 * |     26 |    4 | image height, uint32 BE                                       |
 * |     30 |    1 | padding added on the right (pixels)                          |
 * |     31 |    1 | padding added at the bottom (pixels)                         |
 * |     32 |    1 | image channels (3)                                            |
 * |     33 |    1 | reserved, 0                                                   |
 * |     34 |    2 | latent channels M, uint16 BE                                  |
 * |     36 |    4 | payload length in bytes, uint32 BE                            |
 * |     40 |    4 | CRC-32 of the payload                                         |
 * |     44 |    4 | CRC-32 of bytes 0–43                                          |
 * |     48 |    … | payload: the rANS stream of the latents                       |
 *
 * Lengths and checksums make truncation and corruption detectable before the entropy decoder runs;
 * the version lets a later format change refuse old files by name instead of misreading them.
 */
export const MAGIC = Uint8Array.from([0x59, 0x4c, 0x49, 0x43]);
export const FORMAT_VERSION = 1;
export const HEADER_BYTES = 48;
export const FINGERPRINT_BYTES = 8;

export interface BitstreamHeader {
  version: number;
  /** 16 lowercase hex digits. */
  fingerprint: string;
  lambda: number;
  width: number;
  height: number;
  padRight: number;
  padBottom: number;
  channels: number;
  latentChannels: number;
}

export type BitstreamErrorCode =
  | 'not-yoto'
  | 'unsupported-version'
  | 'truncated'
  | 'trailing-data'
  | 'corrupt-header'
  | 'corrupt-payload'
  | 'model-mismatch'
  | 'invalid-header';

/** Every problem with a file, with a code a caller can branch on and a message a user can act on. */
export class BitstreamError extends Error {
  override name = 'BitstreamError';
  constructor(
    readonly code: BitstreamErrorCode,
    message: string,
  ) {
    super(message);
  }
}

function checkHeaderValues(h: BitstreamHeader): string | null {
  if (!/^[0-9a-f]{16}$/.test(h.fingerprint)) return `fingerprint must be 16 hex digits, got ${JSON.stringify(h.fingerprint)}`;
  if (!(Number.isFinite(h.lambda) && h.lambda > 0)) return `λ must be a finite positive number, got ${h.lambda}`;
  for (const k of ['width', 'height'] as const)
    if (!(Number.isInteger(h[k]) && h[k] >= 1 && h[k] <= 0xffffffff)) return `image ${k} must be a positive 32-bit integer, got ${h[k]}`;
  for (const k of ['padRight', 'padBottom'] as const)
    if (!(Number.isInteger(h[k]) && h[k] >= 0 && h[k] <= 255)) return `${k} must be an integer in [0, 255], got ${h[k]}`;
  if (!(Number.isInteger(h.channels) && h.channels >= 1 && h.channels <= 255)) return `channels must be in [1, 255], got ${h.channels}`;
  if (!(Number.isInteger(h.latentChannels) && h.latentChannels >= 1 && h.latentChannels <= 0xffff))
    return `latent channels must be in [1, 65535], got ${h.latentChannels}`;
  return null;
}

/** Header + payload as one file. */
export function writeBitstream(header: Omit<BitstreamHeader, 'version'>, payload: Uint8Array): Uint8Array {
  const h: BitstreamHeader = { ...header, version: FORMAT_VERSION };
  const bad = checkHeaderValues(h);
  if (bad) throw new Error(`writeBitstream: ${bad}`);
  if (payload.length > 0xffffffff) throw new Error('writeBitstream: payload larger than 4 GiB');
  const out = new Uint8Array(HEADER_BYTES + payload.length);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint8(4, FORMAT_VERSION);
  view.setUint8(5, 0);
  for (let i = 0; i < FINGERPRINT_BYTES; i++) out[6 + i] = parseInt(h.fingerprint.slice(2 * i, 2 * i + 2), 16);
  view.setFloat64(14, h.lambda);
  view.setUint32(22, h.width);
  view.setUint32(26, h.height);
  view.setUint8(30, h.padRight);
  view.setUint8(31, h.padBottom);
  view.setUint8(32, h.channels);
  view.setUint8(33, 0);
  view.setUint16(34, h.latentChannels);
  view.setUint32(36, payload.length);
  view.setUint32(40, crc32(payload));
  view.setUint32(44, crc32(out, 0, 44));
  out.set(payload, HEADER_BYTES);
  return out;
}

/**
 * Parses and checks a file: magic, version, header checksum, field ranges, payload length and
 * checksum, in that order, so the error names the first thing that is wrong.
 */
export function readBitstream(bytes: Uint8Array): { header: BitstreamHeader; payload: Uint8Array } {
  if (!(bytes instanceof Uint8Array)) throw new BitstreamError('not-yoto', 'bitstream must be a Uint8Array');
  const magicLen = Math.min(bytes.length, MAGIC.length);
  for (let i = 0; i < magicLen; i++)
    if (bytes[i] !== MAGIC[i])
      throw new BitstreamError('not-yoto', `not a YOTO bitstream: starts with ${hex(bytes.subarray(0, 4))}, expected ${hex(MAGIC)} ("YLIC")`);
  if (bytes.length < HEADER_BYTES)
    throw new BitstreamError('truncated', `bitstream truncated: ${bytes.length} bytes, shorter than the ${HEADER_BYTES}-byte header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint8(4);
  if (version !== FORMAT_VERSION)
    throw new BitstreamError('unsupported-version', `bitstream format version ${version} is not supported (this decoder reads version ${FORMAT_VERSION})`);
  const headerCrc = view.getUint32(44);
  if (crc32(bytes, 0, 44) !== headerCrc) throw new BitstreamError('corrupt-header', 'bitstream header is corrupt (header checksum mismatch)');
  if (view.getUint8(5) !== 0 || view.getUint8(33) !== 0)
    throw new BitstreamError('invalid-header', 'bitstream header sets reserved fields; it was written by an incompatible encoder');
  const header: BitstreamHeader = {
    version,
    fingerprint: hexPlain(bytes.subarray(6, 6 + FINGERPRINT_BYTES)),
    lambda: view.getFloat64(14),
    width: view.getUint32(22),
    height: view.getUint32(26),
    padRight: view.getUint8(30),
    padBottom: view.getUint8(31),
    channels: view.getUint8(32),
    latentChannels: view.getUint16(34),
  };
  const bad = checkHeaderValues(header);
  if (bad) throw new BitstreamError('invalid-header', `bitstream header is invalid: ${bad}`);
  const length = view.getUint32(36);
  const have = bytes.length - HEADER_BYTES;
  if (have < length)
    throw new BitstreamError('truncated', `bitstream truncated: header announces ${length} payload bytes, file holds ${have}`);
  if (have > length) throw new BitstreamError('trailing-data', `bitstream has ${have - length} unexpected bytes after the ${length}-byte payload`);
  const payload = bytes.subarray(HEADER_BYTES);
  if (crc32(payload) !== view.getUint32(40)) throw new BitstreamError('corrupt-payload', 'bitstream payload is corrupt (payload checksum mismatch)');
  return { header, payload };
}

function hexPlain(b: Uint8Array): string {
  return Array.from(b, (v) => v.toString(16).padStart(2, '0')).join('');
}

function hex(b: Uint8Array): string {
  return Array.from(b, (v) => `0x${v.toString(16).padStart(2, '0')}`).join(' ') || '(nothing)';
}
