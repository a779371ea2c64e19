import { validateCdf } from './quantize.js';
import { RansDecoder, RansEncoder, RansError } from './rans.js';

/**
 * Integer values coded under per-position frequency tables, with an escape for values outside a
 * table's support (the same idea as CompressAI's rANS "bypass" mode).
 *
 * A table covers the values offset … offset+support−1 (one symbol each) plus a final escape symbol
 * that carries the tail mass. An out-of-range value is coded as the escape symbol, a sign bit (below
 * or above the support) and the Elias-gamma code of its distance d ≥ 1 past the support edge, all as
 * raw bits through the same rANS stream. Elias-gamma costs 2⌊log2 d⌋+1 bits, so rare large values stay
 * cheap and any 31-bit value remains representable.
 */
export interface CodingTable {
  /** Cumulative frequencies, length support+2 (support symbols then the escape), 0 … 2^16. */
  readonly cdf: Uint32Array;
  /** The value of symbol 0. */
  readonly offset: number;
}

/** Largest escape distance representable (Elias-gamma over 31 bits). */
export const MAX_ESCAPE = 2 ** 31 - 1;

/** Throws naming the first malformed table. */
export function validateTables(tables: readonly CodingTable[]): void {
  if (tables.length === 0) throw new Error('coding tables: need at least one table');
  tables.forEach((t, i) => {
    validateCdf(t.cdf, `coding table ${i}`);
    if (t.cdf.length < 2) throw new Error(`coding table ${i}: needs an escape symbol`);
    if (!Number.isInteger(t.offset)) throw new Error(`coding table ${i}: offset must be an integer, got ${t.offset}`);
  });
}

function checkIndexes(count: number, indexes: ArrayLike<number>, tables: number): void {
  if (indexes.length !== count) throw new Error(`table indexes: expected one per value (${count}), got ${indexes.length}`);
  for (let i = 0; i < count; i++) {
    const t = indexes[i];
    if (!(t >= 0 && t < tables && Number.isInteger(t))) throw new Error(`table index ${t} at position ${i} is not in [0, ${tables})`);
  }
}

/** Codes `values[i]` under `tables[indexes[i]]`. Returns the rANS stream. */
export function encodeValues(values: ArrayLike<number>, indexes: ArrayLike<number>, tables: readonly CodingTable[]): Uint8Array {
  validateTables(tables);
  checkIndexes(values.length, indexes, tables.length);
  const enc = new RansEncoder();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v)) throw new Error(`value at position ${i} is not an integer: ${v}`);
    const t = tables[indexes[i]];
    const cdf = t.cdf;
    const escape = cdf.length - 2;
    const s = v - t.offset;
    if (s >= 0 && s < escape) {
      enc.put(cdf[s], cdf[s + 1] - cdf[s]);
      continue;
    }
    enc.put(cdf[escape], cdf[escape + 1] - cdf[escape]);
    const below = s < 0;
    const d = below ? -s : s - escape + 1;
    if (d > MAX_ESCAPE) throw new Error(`value ${v} at position ${i} is too far outside its table's support to code`);
    enc.putBits(below ? 1 : 0, 1);
    putEliasGamma(enc, d);
  }
  return enc.finish();
}

/** Unary length prefix, then the bits below the leading 1, in chunks of at most 16 bits. */
function putEliasGamma(enc: RansEncoder, d: number): void {
  const nbits = 32 - Math.clz32(d);
  for (let k = 1; k < nbits; k++) enc.putBits(1, 1);
  enc.putBits(0, 1);
  let rest = nbits - 1;
  while (rest > 0) {
    const take = Math.min(16, rest);
    rest -= take;
    enc.putBits(Math.floor(d / 2 ** rest) % 2 ** take, take);
  }
}

function getEliasGamma(dec: RansDecoder): number {
  let nbits = 1;
  while (dec.getBits(1) === 1) {
    nbits++;
    if (nbits > 31) throw new RansError('corrupt escape code: length prefix longer than 31 bits');
  }
  let d = 1;
  let rest = nbits - 1;
  while (rest > 0) {
    const take = Math.min(16, rest);
    rest -= take;
    d = d * 2 ** take + dec.getBits(take);
  }
  return d;
}

/** Position of `slot` in a cumulative table: the s with cdf[s] ≤ slot < cdf[s+1]. */
function findSymbol(cdf: Uint32Array, slot: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid] <= slot) lo = mid;
    else hi = mid;
  }
  return lo;
}

export interface DecodeStats {
  /** rANS operations (table symbols and raw-bit groups) decoded. */
  operations: number;
  /** 16-bit words read from the stream. */
  words: number;
}

/**
 * Inverse of `encodeValues`. The count and the tables come from the caller (the bitstream header and
 * the model), never from the stream, so the work is bounded by count × (2 + 31 + 2) operations
 * whatever the bytes are. Throws RansError on a truncated or inconsistent stream.
 */
export function decodeValues(
  bytes: Uint8Array,
  indexes: ArrayLike<number>,
  tables: readonly CodingTable[],
  stats?: DecodeStats,
): Int32Array {
  validateTables(tables);
  const count = indexes.length;
  checkIndexes(count, indexes, tables.length);
  const dec = new RansDecoder(bytes);
  const out = new Int32Array(count);
  try {
    for (let i = 0; i < count; i++) {
      const t = tables[indexes[i]];
      const cdf = t.cdf;
      const escape = cdf.length - 2;
      const s = findSymbol(cdf, dec.peek());
      dec.advance(cdf[s], cdf[s + 1] - cdf[s]);
      if (s < escape) {
        out[i] = t.offset + s;
        continue;
      }
      const below = dec.getBits(1) === 1;
      const d = getEliasGamma(dec);
      const v = below ? t.offset - d : t.offset + escape - 1 + d;
      if (v < -(2 ** 31) || v >= 2 ** 31) throw new RansError(`corrupt escape code: decoded value ${v} does not fit 32 bits`);
      out[i] = v;
    }
    dec.finish();
  } finally {
    if (stats) {
      stats.operations = dec.operations;
      stats.words = dec.wordsRead;
    }
  }
  return out;
}
