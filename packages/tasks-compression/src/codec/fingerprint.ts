import { createHash } from 'node:crypto';
import type { FactorizedPrior } from '../model/factorized-prior.js';

/**
 * A model's identity for the bitstream: SHA-256 over the configuration, the coefficient space and
 * every weight (name, shape, float32 bytes, in name order), cut to 8 bytes (16 hex digits). A file
 * decoded with any other model fails with a clear "model mismatch" instead of decoding to noise.
 */
export function modelFingerprint(model: FactorizedPrior): string {
  const h = createHash('sha256');
  h.update('yoto-bls-factorized/1\n');
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
