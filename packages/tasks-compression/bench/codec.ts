/**
 * `pnpm bench codec [--json] [--symbols n] [--channels c] [--repeats r]`: throughput of the rANS
 * entropy coder alone (no tfjs): encode and decode of `n` latent values spread over `c` per-channel
 * tables, as produced by the entropy bottleneck (discretized Laplace densities of varied scales,
 * 0.1 % escapes). Reports MB/s of coded bytes and millions of symbols per second, median of r runs.
 */
import { Rng } from '@yoto/core';
import { type CodingTable, cumulative, decodeValues, encodeValues, quantizeFrequencies } from '../src/index.js';
import { median } from '@yoto/bench-stats';
import { parseFlags } from '@yoto/flags';

const USAGE = 'pnpm bench codec [--json] [--symbols n] [--channels c] [--repeats r]';

export interface CodecBenchResult {
  bench: 'codec';
  symbols: number;
  channels: number;
  coded_bytes: number;
  bits_per_symbol: number;
  encode_mb_per_s: number;
  decode_mb_per_s: number;
  encode_msym_per_s: number;
  decode_msym_per_s: number;
}

/** Per-channel discretized Laplace tables (scale from 0.2 to 8) with a small escape mass. */
function laplaceTables(channels: number, rng: Rng): { tables: CodingTable[]; scales: number[] } {
  const tables: CodingTable[] = [];
  const scales: number[] = [];
  for (let c = 0; c < channels; c++) {
    const b = 0.2 * 40 ** rng.uniform();
    const half = Math.ceil(b * 12) + 1;
    const pmf: number[] = [];
    for (let q = -half; q <= half; q++) pmf.push(Math.exp(-Math.abs(q) / b));
    const s = pmf.reduce((a, v) => a + v, 0);
    const norm = pmf.map((p) => (p / s) * (1 - 1e-3));
    norm.push(1e-3);
    tables.push({ cdf: cumulative(quantizeFrequencies(norm)), offset: -half });
    scales.push(b);
  }
  return { tables, scales };
}

function laplace(rng: Rng, b: number): number {
  const u = rng.uniform() - 0.5;
  return Math.round(-b * Math.sign(u) * Math.log(1 - 2 * Math.abs(u)));
}

export async function main(args: string[]): Promise<CodecBenchResult | null> {
  const { flags: f } = parseFlags(
    'bench codec',
    args,
    { json: { type: 'boolean' }, symbols: { type: 'integer', min: 1, default: 2_000_000 }, channels: { type: 'integer', min: 1, default: 192 }, repeats: { type: 'integer', min: 1, default: 5 } },
    USAGE,
  );
  if (f.help) {
    console.log(`usage: ${USAGE}`);
    return null;
  }
  const { symbols: n, channels, repeats } = f;
  // Channel indexes are stored as 16-bit.
  if (channels > 65535) throw new Error(`bench codec: --channels must be at most 65535, got ${channels}; usage: ${USAGE}`);
  const rng = new Rng(1);
  const { tables, scales } = laplaceTables(channels, rng);
  const indexes = new Uint16Array(n);
  const values = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    indexes[i] = i % channels;
    values[i] = laplace(rng, scales[indexes[i]]);
  }
  let bytes = encodeValues(values, indexes, tables);
  const enc: number[] = [];
  const dec: number[] = [];
  for (let r = 0; r < repeats; r++) {
    let t0 = performance.now();
    bytes = encodeValues(values, indexes, tables);
    enc.push(performance.now() - t0);
    t0 = performance.now();
    const out = decodeValues(bytes, indexes, tables);
    dec.push(performance.now() - t0);
    if (out[n - 1] !== values[n - 1]) throw new Error('bench codec: decode mismatch');
  }
  const e = median(enc) / 1000;
  const d = median(dec) / 1000;
  const mb = bytes.length / 1e6;
  const r2 = (v: number): number => Math.round(v * 100) / 100;
  const result: CodecBenchResult = {
    bench: 'codec',
    symbols: n,
    channels,
    coded_bytes: bytes.length,
    bits_per_symbol: r2((bytes.length * 8) / n),
    encode_mb_per_s: r2(mb / e),
    decode_mb_per_s: r2(mb / d),
    encode_msym_per_s: r2(n / 1e6 / e),
    decode_msym_per_s: r2(n / 1e6 / d),
  };
  if (f.json) console.log(JSON.stringify(result));
  else
    console.log(
      `rANS coder, ${n} symbols over ${channels} tables, ${result.bits_per_symbol} bits/symbol (${bytes.length} bytes): ` +
        `encode ${result.encode_mb_per_s} MB/s (${result.encode_msym_per_s} Msym/s), decode ${result.decode_mb_per_s} MB/s (${result.decode_msym_per_s} Msym/s), median of ${repeats}`,
    );
  return result;
}
