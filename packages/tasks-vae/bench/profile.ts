/**
 * `npx tsx packages/tasks-vae/bench/profile.ts [--backend wasm] [--steps n] [--warmup n] [--top n]`:
 * where a training step of the benchmark VAE (core's trainer, batch 64) spends its time. Every
 * kernel of the active backend is wrapped to record its self CPU time (time in nested kernels, e.g.
 * ours built from tfjs ops, is charged to those), grouped by kernel name and input shapes. What
 * the step's wall time does not account for is JS outside kernels (tape, tidy, the trainer).
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, train } from '@yoto/core';
import { createVaeTask } from '../src/index.js';
import { parseFlags } from '@yoto/flags';

interface Row {
  calls: number;
  ms: number;
}

function parse(argv: string[]): { backend: string; steps: number; warmup: number; top: number } {
  const { flags } = parseFlags(
    'bench vae profile',
    argv,
    { backend: { type: 'string', default: 'wasm' }, steps: { type: 'integer', min: 1, default: 20 }, warmup: { type: 'integer', min: 0, default: 5 }, top: { type: 'integer', min: 1, default: 40 } },
    'tsx packages/tasks-vae/bench/profile.ts [--backend b] [--steps n] [--warmup n] [--top n]',
  );
  return flags;
}

/** Process CPU time in ms: on a shared machine it is far steadier than wall time. */
function now(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

export async function main(argv: string[]): Promise<void> {
  const o = parse(argv);
  const info = await initBackend(o.backend);
  const byKey = new Map<string, Row>();
  const byName = new Map<string, Row>();
  const stacks = new Map<string, Row>();
  let recording = false;
  let child = 0; // time spent in nested kernels of the current one
  for (const k of tf.getKernelsForBackend(info.tfBackend)) {
    const inner = k.kernelFunc;
    const wrapped: tf.KernelFunc = (args) => {
      if (!recording) return inner(args);
      const outerChild = child;
      child = 0;
      const t = now();
      const out = inner(args);
      const total = now() - t;
      const self = total - child;
      child = outerChild + total;
      const shapes = Object.values(args.inputs)
        .filter((x) => x != null)
        .map((x) => `[${(x as tf.TensorInfo).shape.join(',')}]`)
        .join(' ');
      if (process.env.PROFILE_STACK === k.kernelName) {
        const frames = (new Error().stack ?? '').split('\n').slice(2).filter((l) => !l.includes('profile.ts')).slice(0, Number(process.env.PROFILE_DEPTH ?? 6));
        const key = `${shapes}\n${frames.map((f) => f.trim().replace(/file:\/\/\/work\/main\/node_modules\/.pnpm\/[^/]+\/node_modules\//, '')).join('\n')}`;
        const r = stacks.get(key) ?? { calls: 0, ms: 0 };
        r.calls++;
        r.ms += self;
        stacks.set(key, r);
      }
      for (const [map, key] of [
        [byKey, `${k.kernelName} ${shapes}`],
        [byName, k.kernelName],
      ] as const) {
        const r = map.get(key) ?? { calls: 0, ms: 0 };
        r.calls++;
        r.ms += self;
        map.set(key, r);
      }
      return out;
    };
    tf.unregisterKernel(k.kernelName, info.tfBackend);
    tf.registerKernel({ ...k, kernelFunc: wrapped });
  }
  const task = createVaeTask({ sharedHidden: false });
  task.trainBatch({ seed: 0, step: 0, batchSize: 1 });
  let last = performance.now();
  let step = 0;
  const times: number[] = [];
  let cpu0: NodeJS.CpuUsage | null = null;
  let cpu: NodeJS.CpuUsage = { user: 0, system: 0 };
  await train(
    task,
    { mode: 'yoto', steps: o.warmup + o.steps, batchSize: 64, seed: 0, optimizer: { lr: 1e-4 }, logEvery: 1_000_000 },
    {
      onProgress: () => {
        const now = performance.now();
        if (step >= o.warmup) times.push(now - last);
        if (step === o.warmup - 1) cpu0 = process.cpuUsage();
        if (step === o.warmup + o.steps - 1 && cpu0) cpu = process.cpuUsage(cpu0);
        step++;
        recording = step >= o.warmup;
        last = performance.now();
      },
    },
  );
  const n = times.length;
  const sorted = [...times].sort((a, b) => a - b);
  const kernelMs = [...byName.values()].reduce((s, r) => s + r.ms, 0) / n;
  const calls = [...byName.values()].reduce((s, r) => s + r.calls, 0) / n;
  console.log(`${info.name}: cpu ${((cpu.user + cpu.system) / 1000 / n).toFixed(1)} ms/step; wall median ${sorted[n >> 1].toFixed(1)} ms/step, mean ${(times.reduce((a, b) => a + b, 0) / n).toFixed(1)}; kernels ${kernelMs.toFixed(1)} ms cpu in ${calls.toFixed(0)} calls per step`);
  const show = (map: Map<string, Row>, top: number) =>
    [...map.entries()]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, top)
      .forEach(([key, r]) => console.log(`${(r.ms / n).toFixed(2).padStart(7)} ms ${(r.calls / n).toFixed(1).padStart(6)}×  ${key}`));
  console.log('--- by kernel');
  show(byName, 25);
  console.log('--- by kernel and input shapes');
  show(byKey, o.top);
  if (stacks.size) {
    console.log('--- call sites of', process.env.PROFILE_STACK);
    show(stacks, 30);
  }
}

main(process.argv.slice(2)).catch((e: Error) => {
  console.error(e.stack ?? e.message);
  process.exit(1);
});
