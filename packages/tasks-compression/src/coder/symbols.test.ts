import { Rng } from '@yoto/core';
import { describe, expect, it } from 'vitest';
import { cumulative, quantizeFrequencies, TOTAL, validateCdf } from './quantize.js';
import { RansError } from './rans.js';
import { type CodingTable, type DecodeStats, decodeValues, encodeValues } from './symbols.js';

/** A random peaked table (Laplace-like with random scale and skew) and a sampler of its values. */
function randomTable(rng: Rng, support: number, escapeMass: number): { table: CodingTable; pmf: Float64Array } {
  const pmf = new Float64Array(support + 1);
  const centre = rng.uniform() * support;
  const scale = 0.3 + rng.uniform() * support * 0.3;
  for (let s = 0; s < support; s++) pmf[s] = Math.exp(-Math.abs(s - centre) / scale) * (0.5 + rng.uniform());
  const sum = pmf.reduce((a, b) => a + b, 0);
  for (let s = 0; s < support; s++) pmf[s] = (pmf[s] / sum) * (1 - escapeMass);
  pmf[support] = escapeMass;
  const offset = rng.int(41) - 20;
  return { table: { cdf: cumulative(quantizeFrequencies(pmf)), offset }, pmf };
}

function sample(rng: Rng, pmf: Float64Array): number {
  let u = rng.uniform();
  for (let s = 0; s < pmf.length; s++) {
    u -= pmf[s];
    if (u < 0) return s;
  }
  return pmf.length - 1;
}

/** Information content of the values under the quantized tables, in bits. */
function idealBits(values: Int32Array, indexes: Uint16Array, tables: CodingTable[]): number {
  let bits = 0;
  for (let i = 0; i < values.length; i++) {
    const t = tables[indexes[i]];
    const s = values[i] - t.offset;
    const f = t.cdf[s + 1] - t.cdf[s];
    bits -= Math.log2(f / TOTAL);
  }
  return bits;
}

function makeStream(rng: Rng, count: number, nTables: number, escapeMass = 0) {
  const made = Array.from({ length: nTables }, () => randomTable(rng, 1 + rng.int(60), escapeMass));
  const tables = made.map((m) => m.table);
  const indexes = new Uint16Array(count);
  const values = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    indexes[i] = rng.int(nTables);
    const m = made[indexes[i]];
    const s = sample(rng, m.pmf);
    const escape = m.pmf.length - 1;
    // An escape draw becomes a value outside the support, at a random distance on a random side.
    values[i] = s < escape ? m.table.offset + s : rng.uniform() < 0.5 ? m.table.offset - 1 - rng.int(5000) : m.table.offset + escape + rng.int(5000);
  }
  return { tables, indexes, values, pmfs: made.map((m) => m.pmf) };
}

describe('frequency quantization', () => {
  it('keeps every symbol codable and sums to 2^16', () => {
    const rng = new Rng(3);
    for (let k = 0; k < 50; k++) {
      const n = 1 + rng.int(3000);
      const pmf = Array.from({ length: n }, () => (rng.uniform() < 0.3 ? 0 : rng.uniform() ** 8));
      pmf[rng.int(n)] = 1;
      const freq = quantizeFrequencies(pmf);
      expect(freq.reduce((a, b) => a + b, 0)).toBe(TOTAL);
      expect(Math.min(...freq)).toBeGreaterThanOrEqual(1);
      validateCdf(cumulative(freq));
    }
  });

  it('stays close to the real distribution (KL below 0.001 bit for a smooth pmf)', () => {
    const pmf = Array.from({ length: 64 }, (_, s) => Math.exp(-Math.abs(s - 20) / 4));
    const sum = pmf.reduce((a, b) => a + b, 0);
    const freq = quantizeFrequencies(pmf);
    let kl = 0;
    for (let s = 0; s < 64; s++) kl += (pmf[s] / sum) * Math.log2(pmf[s] / sum / (freq[s] / TOTAL));
    expect(kl).toBeGreaterThanOrEqual(0);
    expect(kl).toBeLessThan(1e-3);
  });

  it('rejects malformed input and tables, naming the defect', () => {
    expect(() => quantizeFrequencies([])).toThrow(/alphabet size/);
    expect(() => quantizeFrequencies([0.5, Number.NaN])).toThrow(/pmf\[1\]/);
    expect(() => quantizeFrequencies([0, 0])).toThrow(/sums to 0/);
    expect(() => validateCdf([0, 10, 10, TOTAL])).toThrow(/strictly increasing at index 2/);
    expect(() => validateCdf([0, TOTAL - 1])).toThrow(/must end at 65536/);
  });
});

describe('rANS value coder', () => {
  it('round-trips random streams under random tables, escapes included', () => {
    const rng = new Rng(11);
    for (let trial = 0; trial < 40; trial++) {
      const { tables, indexes, values } = makeStream(rng, 1 + rng.int(3000), 1 + rng.int(12), trial % 2 === 0 ? 0.02 : 0);
      const bytes = encodeValues(values, indexes, tables);
      expect(decodeValues(bytes, indexes, tables)).toEqual(values);
    }
  });

  it('codes extreme values through the escape and the empty stream', () => {
    const tables: CodingTable[] = [{ cdf: cumulative(quantizeFrequencies([0.25, 0.5, 0.25, 1e-6])), offset: -1 }];
    const values = Int32Array.from([0, 2, -2, 1_000_000_000, -2_000_000_000, 2 ** 31 - 1, -(2 ** 31), 1, -1, 3]);
    const idx = new Uint8Array(values.length);
    expect(decodeValues(encodeValues(values, idx, tables), idx, tables)).toEqual(values);
    const empty = encodeValues([], [], tables);
    expect(empty.length).toBe(4);
    expect(decodeValues(empty, [], tables)).toEqual(new Int32Array(0));
  });

  it('codes within 0.5% + 64 bits of the ideal -Σ log2 p, and near the real entropy', () => {
    const rng = new Rng(5);
    for (let trial = 0; trial < 10; trial++) {
      const { tables, indexes, values, pmfs } = makeStream(rng, 20_000, 8);
      const coded = encodeValues(values, indexes, tables).length * 8;
      const ideal = idealBits(values, indexes, tables);
      expect(Math.abs(coded - ideal)).toBeLessThanOrEqual(0.005 * ideal + 64);
      // Against the unquantized pmf too: table rounding costs at most a few tenths of a percent here.
      let real = 0;
      for (let i = 0; i < values.length; i++) real -= Math.log2(pmfs[indexes[i]][values[i] - tables[indexes[i]].offset]);
      expect(coded).toBeLessThanOrEqual(real * 1.01 + 64);
    }
  });

  it('rejects bad arguments with a clear error', () => {
    const tables: CodingTable[] = [{ cdf: cumulative(quantizeFrequencies([0.5, 0.5])), offset: 0 }];
    expect(() => encodeValues([0.5], [0], tables)).toThrow(/not an integer/);
    expect(() => encodeValues([0], [1], tables)).toThrow(/table index 1/);
    expect(() => encodeValues([0, 1], [0], tables)).toThrow(/one per value/);
    expect(() => encodeValues([0], [0], [{ cdf: Uint32Array.from([0, 5]), offset: 0 }])).toThrow(/coding table 0/);
  });
});

describe('rANS decoder under hostile input', () => {
  it('rejects truncation, trailing bytes and a wrong table', () => {
    const rng = new Rng(21);
    const { tables, indexes, values } = makeStream(rng, 500, 4);
    const bytes = encodeValues(values, indexes, tables);
    expect(() => decodeValues(bytes.subarray(0, 3), indexes, tables)).toThrow(/too short/);
    expect(() => decodeValues(bytes.subarray(0, bytes.length - 2), indexes, tables)).toThrow(RansError);
    const longer = new Uint8Array(bytes.length + 2);
    longer.set(bytes);
    expect(() => decodeValues(longer, indexes, tables)).toThrow(/unread bytes|final state/);
    const other = tables.map((t) => ({ ...t, cdf: cumulative(quantizeFrequencies(Array.from({ length: t.cdf.length - 1 }, () => 1))) }));
    expect(() => decodeValues(bytes, indexes, other)).toThrow(RansError);
  });

  it('survives 3000 mutated, truncated and random streams with bounded work', () => {
    const rng = new Rng(99);
    const { tables, indexes, values } = makeStream(rng, 300, 6, 0.05);
    const good = encodeValues(values, indexes, tables);
    const count = indexes.length;
    let threw = 0;
    let decoded = 0;
    for (let k = 0; k < 3000; k++) {
      let bytes: Uint8Array;
      const kind = k % 4;
      if (kind === 0) {
        bytes = good.slice();
        for (let m = 0; m <= rng.int(4); m++) bytes[rng.int(bytes.length)] ^= 1 + rng.int(255);
      } else if (kind === 1) {
        bytes = good.slice(0, rng.int(good.length + 1));
      } else if (kind === 2) {
        bytes = Uint8Array.from({ length: rng.int(2 * good.length) }, () => rng.int(256));
      } else {
        bytes = good.slice();
        bytes[rng.int(bytes.length)] = rng.uniform() < 0.5 ? 0 : 255;
        bytes = bytes.slice(rng.int(8));
      }
      const stats: DecodeStats = { operations: 0, words: 0 };
      try {
        const out = decodeValues(bytes, indexes, tables, stats);
        expect(out.length).toBe(count);
        decoded++;
      } catch (err) {
        // Only the coder's own, explained errors: no TypeError/RangeError from a crash inside.
        expect(err).toBeInstanceOf(RansError);
        expect((err as Error).message).toMatch(/rANS|escape/);
        threw++;
      }
      // Work bound per call: a table symbol, a sign bit, ≤ 31 prefix bits, ≤ 2 suffix chunks per value.
      expect(stats.operations).toBeLessThanOrEqual(count * 35);
      expect(stats.words).toBeLessThanOrEqual(bytes.length / 2);
    }
    expect(threw).toBeGreaterThan(2000);
    expect(threw + decoded).toBe(3000);
  });
});
