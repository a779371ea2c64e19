// Peak wasm heap of `compress` + `decompress` on one side×side image with the default compression
// model (untrained weights: memory does not depend on them). Backs the codec's size limit
// (experiments/src/commands/image-limit.ts). Usage: pnpm exec tsx research/codec-memory.ts --side 1774
import * as tf from '@tensorflow/tfjs';
import { initBackend, spaceFromJSON } from '@yoto/core';
import { compressAt, decompress, FactorizedPrior } from '@yoto/tasks-compression';
import { parseFlagsOrExit } from '@yoto/flags';

const { side } = parseFlagsOrExit('codec-memory', process.argv.slice(2), { side: { type: 'integer', min: 16, default: 768 } }, 'pnpm exec tsx research/codec-memory.ts [--side PX]').flags;
await initBackend('wasm');
const heap = (): number => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length;
const before = heap();
const space = spaceFromJSON({ terms: ['distortion', 'rate'], distribution: { kind: 'logUniform', term: 'distortion', low: 0.0018, high: 0.18 }, encoding: { distortion: 'range' } } as never);
const model = new FactorizedPrior({
  space,
  conditioned: true,
  seed: 1,
  config: { N: 64, M: 96, densityKnots: 8, conditioningHidden: 64, quantizationStep: 'lambda' },
});
const data = new Uint8Array(side * side * 3).map((_v, i) => (i * 37) % 251);
decompress(model, compressAt(model, { width: side, height: side, data }, 0.018).bytes);
const peak = heap();
console.log(JSON.stringify({ side, pixels: side * side, heapBytes: peak, bytesPerPixel: Math.round((peak - before) / (side * side)) }));
