import { createHash } from 'node:crypto';
import { architectureOf, type CompressionModel } from '../model/compression-model.js';

/**
 * A model's identity for the bitstream: SHA-256 over the configuration, the coefficient space and
 * every weight (name, shape, float32 bytes, in name order), cut to 8 bytes (16 hex digits). A file
 * decoded with any other model fails with a clear "model mismatch" instead of decoding to noise.
 */
export function modelFingerprint(model: CompressionModel): string {
  const h = createHash('sha256');
  // The factorized prior's prefix is the one it always had, so its fingerprints (and old files) stay valid.
  h.update(`yoto-bls-${architectureOf(model)}/1\n`);
  h.update(
    JSON.stringify({
      config: model.config,
      conditioned: model.conditioned,
      space: model.space.toJSON(),
      lambdaRange: model.lambdaRange,
      knots: model.bottleneck.knots,
    }),
  );
  const entries = model.params.entries().sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [name, v] of entries) {
    h.update(`\n${name}:${v.shape.join('x')}:`);
    const data = v.dataSync() as Float32Array;
    h.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return h.digest('hex').slice(0, 16);
}
