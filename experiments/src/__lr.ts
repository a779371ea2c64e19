import { initBackend, train } from '@yoto/core';
import { BlsFactorizedTask } from '@yoto/tasks-compression';
await initBackend();
const lr = Number(process.argv[2]);
const lam = Number(process.argv[3]);
const task = new BlsFactorizedTask({ config: { N: 32, M: 48, densityKnots: 8, conditioningHidden: 64 }, cropSize: 64 });
await task.prepare();
const hist: Record<string, number>[] = [];
const t0 = performance.now();
await train(task, { mode: 'fixed', lambda: { distortion: lam, rate: 1 }, steps: 400, batchSize: 8, seed: 1, optimizer: { lr }, logEvery: 10 },
  { sink: { logParams() {}, logMetrics(step: number, v: Record<string, number>) { hist.push({ step, ...v }); }, logEvaluation() {}, flush() {} } as never });
const tail = hist.slice(-8);
const avg = (k: string) => tail.reduce((s, h) => s + h[k], 0) / tail.length;
const d = avg('distortion');
console.log(`lr=${lr} λ=${lam}: distortion ${d.toFixed(0)} (PSNR ${(10 * Math.log10(65025 / d)).toFixed(2)}), rate ${avg('rate').toFixed(3)}, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
