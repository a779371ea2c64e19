import { sha256 } from '@yoto/core';
import { hexPlain } from '../bitstream/format.js';
import { architectureOf, type CompressionModel } from '../model/compression-model.js';

/**
 * A model's identity for the bitstream: SHA-256 over the configuration, the coefficient space and
 * every weight (name, shape, float32 bytes, in name order), cut to 8 bytes (16 hex digits). A file
 * decoded with any other model fails with a clear "model mismatch" instead of decoding to noise.
 * Core's plain-TypeScript SHA-256 (not node:crypto), so the browser explorer stamps the same
 * fingerprint as the CLI; it hashes one buffer, so the parts are concatenated first.
 */
export function modelFingerprint(model: CompressionModel): string {
  const text = new TextEncoder();
  // The factorized prior's prefix is the one it always had, so its fingerprints (and old files) stay valid.
  const parts: Uint8Array[] = [text.encode(`yoto-bls-${architectureOf(model)}/1\n`)];
  parts.push(
    text.encode(
      JSON.stringify({
        config: model.config,
        conditioned: model.conditioned,
        space: model.space.toJSON(),
        lambdaRange: model.lambdaRange,
        knots: model.bottleneck.knots,
      }),
    ),
  );
  const entries = model.params.entries().sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [name, v] of entries) {
    parts.push(text.encode(`\n${name}:${v.shape.join('x')}:`));
    const data = v.dataSync() as Float32Array;
    parts.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return hexPlain(sha256(all).subarray(0, 8));
}
