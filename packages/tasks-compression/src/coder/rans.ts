import { PRECISION, TOTAL } from './quantize.js';

/**
 * A 32-bit rANS coder with 16-bit renormalisation words and 16-bit frequency precision
 * (Duda's asymmetric numeral systems, in the layout popularised by ryg_rans).
 *
 * The state x always lies in [L, L·2^16) with L = 2^16. Encoding a symbol of frequency f first
 * flushes 16-bit words while x ≥ 2^16·f, so x/f fits 16 bits and the new state
 * ⌊x/f⌋·2^16 + (x mod f) + start stays below 2^32. All arithmetic is on JS doubles, which are exact
 * well past 2^32, so no unsigned 32-bit tricks are needed.
 *
 * rANS is last-in-first-out: the encoder takes the operations in the order the decoder will read
 * them, and runs through them backwards.
 */

const L = 1 << 16;
const WORD = 1 << 16;

export class RansError extends Error {
  override name = 'RansError';
}

/** Collects coding operations (start, frequency) in decoder order, then produces the stream. */
export class RansEncoder {
  private starts = new Uint32Array(1024);
  private freqs = new Uint32Array(1024);
  private n = 0;

  /** Queues one symbol occupying [start, start + freq) of the 2^16 range. */
  put(start: number, freq: number): void {
    if (this.n === this.starts.length) {
      const s = new Uint32Array(this.n * 2);
      s.set(this.starts);
      this.starts = s;
      const f = new Uint32Array(this.n * 2);
      f.set(this.freqs);
      this.freqs = f;
    }
    this.starts[this.n] = start;
    this.freqs[this.n] = freq;
    this.n++;
  }

  /** Queues `bits` raw bits (0 ≤ value < 2^bits, 1 ≤ bits ≤ 16): a uniform symbol costing exactly `bits`. */
  putBits(value: number, bits: number): void {
    const shift = PRECISION - bits;
    this.put(value << shift, 1 << shift);
  }

  get operations(): number {
    return this.n;
  }

  /** The coded bytes: a 4-byte big-endian final state, then 16-bit big-endian words in read order. */
  finish(): Uint8Array {
    // Each operation emits at most one word (x < 2^32 and x_max ≥ 2^16 after one shift), so n words suffice.
    const words = new Uint16Array(this.n + 2);
    let w = 0;
    let x = L;
    for (let i = this.n - 1; i >= 0; i--) {
      const f = this.freqs[i];
      const xMax = (L / TOTAL) * WORD * f;
      if (x >= xMax) {
        words[w++] = x % WORD;
        x = Math.floor(x / WORD);
      }
      x = Math.floor(x / f) * TOTAL + (x % f) + this.starts[i];
    }
    const out = new Uint8Array(4 + 2 * w);
    out[0] = (x >>> 24) & 0xff;
    out[1] = (x >>> 16) & 0xff;
    out[2] = (x >>> 8) & 0xff;
    out[3] = x & 0xff;
    // Words were produced last-read-first; write them reversed so the decoder reads forward.
    for (let i = 0; i < w; i++) {
      const v = words[w - 1 - i];
      out[4 + 2 * i] = v >>> 8;
      out[5 + 2 * i] = v & 0xff;
    }
    return out;
  }
}

/**
 * Reads a stream made by RansEncoder. Every call does a bounded amount of work and reading past the
 * end throws, so no input can make it loop; `finish()` checks that the stream was consumed exactly
 * and that the state returned to its initial value (a cheap integrity check).
 */
export class RansDecoder {
  private x: number;
  private pos = 4;
  /** Operations decoded and words read so far (for work bounds in tests and diagnostics). */
  operations = 0;
  wordsRead = 0;

  constructor(private readonly bytes: Uint8Array) {
    if (bytes.length < 4) throw new RansError(`rANS stream too short: ${bytes.length} bytes, need at least 4 for the state`);
    if (bytes.length % 2 !== 0) throw new RansError(`rANS stream has odd length ${bytes.length}; it is made of 16-bit words`);
    this.x = bytes[0] * 2 ** 24 + (bytes[1] << 16) + (bytes[2] << 8) + bytes[3];
    if (this.x < L) throw new RansError(`rANS stream has an invalid initial state ${this.x} (must be ≥ ${L})`);
  }

  /** The slot of the next symbol, in [0, 2^16): find the symbol whose [start, start+freq) holds it. */
  peek(): number {
    return this.x % TOTAL;
  }

  /** Consumes the symbol [start, start + freq) that `peek()` pointed into. */
  advance(start: number, freq: number): void {
    this.operations++;
    this.x = freq * Math.floor(this.x / TOTAL) + (this.x % TOTAL) - start;
    // x ≥ 1 here, so one word always restores x ≥ 2^16.
    if (this.x < L) {
      if (this.pos + 2 > this.bytes.length)
        throw new RansError(`rANS stream truncated: needed a word at byte ${this.pos} of ${this.bytes.length}`);
      this.x = this.x * WORD + (this.bytes[this.pos] << 8) + this.bytes[this.pos + 1];
      this.pos += 2;
      this.wordsRead++;
    }
  }

  /** Reads `bits` raw bits written by `putBits`. */
  getBits(bits: number): number {
    const shift = PRECISION - bits;
    const value = this.peek() >>> shift;
    this.advance(value << shift, 1 << shift);
    return value;
  }

  /** Throws unless the whole stream was read and the state is back at its start. */
  finish(): void {
    if (this.pos !== this.bytes.length)
      throw new RansError(`rANS stream has ${this.bytes.length - this.pos} unread bytes after the last symbol (corrupt or wrong model)`);
    if (this.x !== L) throw new RansError(`rANS final state ${this.x} ≠ ${L}: the stream is corrupt or was coded with other tables`);
  }
}
