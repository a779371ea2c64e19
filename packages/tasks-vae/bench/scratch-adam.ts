import * as tf from '@tensorflow/tfjs';
import { initBackend, Adam } from '@yoto/core';
import { createVaeTask } from '../src/index.js';
await initBackend('wasm');
const task = createVaeTask({ sharedHidden: false });
const model = task.buildModel({ space: task.defaultSpace(), conditioned: true, seed: 0 });
const entries = model.params.entries();
console.log('params', entries.length, entries.reduce((s, [, v]) => s + v.size, 0));
for (const hostLoop of [true, false, true, false]) {
  const adam = new Adam(entries, { lr: 1e-4 }, { hostLoop });
  const grads = entries.map(([, v]) => tf.randomNormal(v.shape));
  for (let i = 0; i < 5; i++) adam.apply(grads, 1e-4);
  const c0 = process.cpuUsage(); const t0 = performance.now();
  for (let i = 0; i < 50; i++) adam.apply(grads, 1e-4);
  const c = process.cpuUsage(c0);
  console.log(hostLoop ? 'host' : 'ops ', ((performance.now() - t0) / 50).toFixed(2), 'ms wall', ((c.user + c.system) / 50000).toFixed(2), 'ms cpu');
  tf.dispose(grads); adam.dispose();
}
