import { crc32 } from './crc32.js';

/**
 * The `.yoto` file: a fixed header, then the coded streams. Version 2 (written now):
 *
 * | offset | size | field                                                        |
 * |-------:|-----:|--------------------------------------------------------------|
 * |      0 |    4 | magic `YLIC` (YOTO learned image codec)                       |
 * |      4 |    1 | format version (2)                                           |
 * |      5 |    1 | flags, 0 (reserved)                                           |
 * |      6 |    8 | model fingerprint (first 8 bytes of a SHA-256, see fingerprint.ts) |
 * |     14 |    8 | λ, float64 big-endian (the exact value the encoder used)       |
 * |     22 |    4 | image width, uint32 BE                                        |
 * |     26 |    4 | image height, uint32 BE                                       |
 * |     30 |    1 | padding added on the right (pixels)                          |
 * |     31 |    1 | padding added at the bottom (pixels)                         |
 * |     32 |    1 | image channels (3)                                            |
 * |     33 |    1 | architecture: 1 factorized prior, 2 scale hyperprior          |
 * |     34 |    2 | latent channels M, uint16 BE                                  |
 * |     36 |    2 | hyper-latent channels, uint16 BE (0 without side information) |
 * |     38 |    2 | reserved, 0                                                   |
 * |     40 |    4 | side-information stream length in bytes, uint32 BE           |
 * |     44 |    4 | latent stream length in bytes, uint32 BE                      |
 * |     48 |    4 | CRC-32 of both streams                                        |
 * |     52 |    4 | CRC-32 of bytes 0–51                                          |
 * |     56 |    … | the side-information stream (rANS, hyper-latents), then the latent stream (rANS) |
 *
 * Version 1 (factorized prior only, still read): the same fields up to byte 33 (reserved, 0), then
 * M at 34, the latent stream's length at 36, its CRC at 40, the header CRC at 44, the stream at 48.
 *
 * Lengths and checksums make truncation and corruption detectable before the entropy decoder runs;
 * the version makes a newer file fail by name instead of being misread.
 */
export const MAGIC = Uint8Array.from([0x59, 0x4c, 0x49, 0x43]);
export const FORMAT_VERSION = 2;
/** The versions this decoder reads. */
export const READABLE_VERSIONS: readonly number[] = [1, 2];
/** Header size of the version written now. */
export const HEADER_BYTES = 56;
/** Header size of version 1 files. */
export const HEADER_BYTES_V1 = 48;
export const FINGERPRINT_BYTES = 8;

/** The model family that wrote a file: it decides which streams the file holds. */
export type Architecture = 'factorized' | 'hyperprior';
const ARCHITECTURE_CODES: Record<Architecture, number> = { factorized: 1, hyperprior: 2 };

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
  /** 'factorized' for every version 1 file. */
  architecture: Architecture;
  /** Channels of the hyper-latents in the side information (0 for the factorized prior). */
  hyperChannels: number;
}

/** What a writer gives: the header without its version; a factorized file may leave out the hyperprior fields. */
export type HeaderInput = Omit<BitstreamHeader, 'version' | 'architecture' | 'hyperChannels'> & Partial<Pick<BitstreamHeader, 'architecture' | 'hyperChannels'>>;

/** The streams of a file: the latents' and (scale hyperprior) the side information's. */
export interface BitstreamStreams {
  /** The latents' rANS stream. */
  payload: Uint8Array;
  /** The hyper-latents' rANS stream (empty for the factorized prior). */
  side: Uint8Array;
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

/**
 * Header + streams as one version-2 file. `side` is the side-information stream (the scale
 * hyperprior's hyper-latents); a factorized-prior file has none.
 */
export function writeBitstream(input: HeaderInput, payload: Uint8Array, side: Uint8Array = new Uint8Array(0)): Uint8Array {
  const h: BitstreamHeader = { ...input, architecture: input.architecture ?? 'factorized', hyperChannels: input.hyperChannels ?? 0, version: FORMAT_VERSION };
  const bad = checkHeaderValues(h) ?? checkArchitecture(h, side.length);
  if (bad) throw new Error(`writeBitstream: ${bad}`);
  if (payload.length + side.length > 0xffffffff) throw new Error('writeBitstream: streams larger than 4 GiB');
  const out = new Uint8Array(HEADER_BYTES + side.length + payload.length);
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
  view.setUint8(33, ARCHITECTURE_CODES[h.architecture]);
  view.setUint16(34, h.latentChannels);
  view.setUint16(36, h.hyperChannels);
  view.setUint16(38, 0);
  view.setUint32(40, side.length);
  view.setUint32(44, payload.length);
  out.set(side, HEADER_BYTES);
  out.set(payload, HEADER_BYTES + side.length);
  view.setUint32(48, crc32(out.subarray(HEADER_BYTES)));
  view.setUint32(52, crc32(out, 0, 52));
  return out;
}

/** A header's architecture fields against each other and the side stream; null when consistent. */
function checkArchitecture(h: BitstreamHeader, sideBytes: number): string | null {
  if (!(h.architecture in ARCHITECTURE_CODES)) return `architecture must be one of ${Object.keys(ARCHITECTURE_CODES).join(', ')}, got ${JSON.stringify(h.architecture)}`;
  if (!(Number.isInteger(h.hyperChannels) && h.hyperChannels >= 0 && h.hyperChannels <= 0xffff)) return `hyper-latent channels must be in [0, 65535], got ${h.hyperChannels}`;
  if (h.architecture === 'factorized' && (h.hyperChannels !== 0 || sideBytes !== 0)) return 'a factorized-prior file has no side information (hyper-latent channels and side stream must be empty)';
  if (h.architecture === 'hyperprior' && h.hyperChannels < 1) return 'a scale-hyperprior file needs hyper-latent channels ≥ 1';
  return null;
}

/** Fixed-position fields of each version: where the stream lengths, the CRCs and the streams are. */
interface Layout {
  headerBytes: number;
  sideLength: number | null;
  payloadLength: number;
  streamsCrc: number;
  headerCrc: number;
}
const LAYOUTS: Record<number, Layout> = {
  1: { headerBytes: HEADER_BYTES_V1, sideLength: null, payloadLength: 36, streamsCrc: 40, headerCrc: 44 },
  2: { headerBytes: HEADER_BYTES, sideLength: 40, payloadLength: 44, streamsCrc: 48, headerCrc: 52 },
};

/**
 * Parses and checks a file of any readable version: magic, version, header checksum, field ranges,
 * stream lengths and checksum, in that order, so the error names the first thing that is wrong.
 */
export function readBitstream(bytes: Uint8Array): { header: BitstreamHeader } & BitstreamStreams {
  if (!(bytes instanceof Uint8Array)) throw new BitstreamError('not-yoto', 'bitstream must be a Uint8Array');
  const magicLen = Math.min(bytes.length, MAGIC.length);
  for (let i = 0; i < magicLen; i++)
    if (bytes[i] !== MAGIC[i])
      throw new BitstreamError('not-yoto', `not a YOTO bitstream: starts with ${hex(bytes.subarray(0, 4))}, expected ${hex(MAGIC)} ("YLIC")`);
  if (bytes.length <= 4) throw new BitstreamError('truncated', `bitstream truncated: ${bytes.length} bytes, shorter than any header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint8(4);
  const layout = LAYOUTS[version];
  if (!layout)
    throw new BitstreamError(
      'unsupported-version',
      `bitstream format version ${version} is not supported: this decoder reads versions ${READABLE_VERSIONS.join(' and ')}${version > FORMAT_VERSION ? ' (the file was written by a newer encoder)' : ''}`,
    );
  if (bytes.length < layout.headerBytes)
    throw new BitstreamError('truncated', `bitstream truncated: ${bytes.length} bytes, shorter than the ${layout.headerBytes}-byte header of version ${version}`);
  if (crc32(bytes, 0, layout.headerCrc) !== view.getUint32(layout.headerCrc)) throw new BitstreamError('corrupt-header', 'bitstream header is corrupt (header checksum mismatch)');
  const archCode = version === 1 ? ARCHITECTURE_CODES.factorized : view.getUint8(33);
  const architecture = (Object.keys(ARCHITECTURE_CODES) as Architecture[]).find((a) => ARCHITECTURE_CODES[a] === archCode);
  if (view.getUint8(5) !== 0 || (version === 1 && view.getUint8(33) !== 0) || (version === 2 && view.getUint16(38) !== 0))
    throw new BitstreamError('invalid-header', 'bitstream header sets reserved fields; it was written by an incompatible encoder');
  if (!architecture) throw new BitstreamError('invalid-header', `bitstream header names an unknown architecture (code ${archCode}); it was written by an incompatible encoder`);
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
    architecture,
    hyperChannels: version === 1 ? 0 : view.getUint16(36),
  };
  const sideLength = layout.sideLength === null ? 0 : view.getUint32(layout.sideLength);
  const bad = checkHeaderValues(header) ?? checkArchitecture(header, sideLength);
  if (bad) throw new BitstreamError('invalid-header', `bitstream header is invalid: ${bad}`);
  const length = sideLength + view.getUint32(layout.payloadLength);
  const have = bytes.length - layout.headerBytes;
  if (have < length) throw new BitstreamError('truncated', `bitstream truncated: header announces ${length} stream bytes, file holds ${have}`);
  if (have > length) throw new BitstreamError('trailing-data', `bitstream has ${have - length} unexpected bytes after the ${length} stream bytes`);
  const streams = bytes.subarray(layout.headerBytes);
  if (crc32(streams) !== view.getUint32(layout.streamsCrc)) throw new BitstreamError('corrupt-payload', 'bitstream payload is corrupt (payload checksum mismatch)');
  return { header, side: streams.subarray(0, sideLength), payload: streams.subarray(sideLength) };
}

/** Bytes as lower-case hex digits, no separators (the header's fingerprint, the model's). */
export function hexPlain(b: Uint8Array): string {
  return Array.from(b, (v) => v.toString(16).padStart(2, '0')).join('');
}

function hex(b: Uint8Array): string {
  return Array.from(b, (v) => `0x${v.toString(16).padStart(2, '0')}`).join(' ') || '(nothing)';
}
