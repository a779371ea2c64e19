import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@yoto/core';
await initBackend('wasm');
console.log('simd', await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'), 'threads', await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
function cpu(f: () => void, reps = 10): number {
  for (let i = 0; i < 2; i++) f();
  const c0 = process.cpuUsage();
  for (let i = 0; i < reps; i++) f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000 / reps;
}
for (const [m, k, n] of [[1024, 1024, 1024], [3136, 288, 64], [288, 3136, 64], [3136, 64, 288], [3136, 288, 128], [12544, 32, 9]]) {
  const a = tf.randomNormal([m, k]);
  const b = tf.randomNormal([k, n]);
  const ms = cpu(() => tf.matMul(a, b).dispose());
  const msFresh = cpu(() => tf.tidy(() => tf.matMul(a, tf.add(b, 0))).dispose() as unknown as void);
  console.log(`${m}x${k}x${n}: ${ms.toFixed(2)} ms cached-weights (${(m * k * n / ms / 1e6).toFixed(1)} GMAC/s), fresh weights ${msFresh.toFixed(2)} ms`);
}
