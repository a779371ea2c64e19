/**
 * `YOTO_THREADS=n pnpm exec tsx research/kernel-profile.ts --model bls|vae [--backend wasm+dnnl]
 *  [--steps n] [--warmup n] [--top n] [--stack Kernel]`:
 * where one training step of a benchmark model (the work `pnpm bench bls` / `pnpm bench vae` time)
 * spends its time, kernel by kernel. Every kernel of the active backend is wrapped to record its
 * self time — wall and process CPU — (time in nested kernels, e.g. ones built from tfjs ops, is
 * charged to those), grouped by kernel name, by kernel and input shapes, and by the source file that
 * called it (the first frame outside tfjs and this script: gdn.ts, bottleneck.ts…; backward and
 * optimizer kernels are named by tfjs's gradient or optimizer file). With native kernels on several
 * threads wall time is the measure (CPU time counts every thread). What the step's wall time does not
 * account for is JS outside kernels (tape, tidy, the trainer). `--stack K` lists the call sites of
 * kernel K. Answers: which kernels are worth taking native next (issue 11).
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, train } from '@yoto/core';
import { BACKEND_CHOICES } from '@yoto/core/backend-choices';
import { parseFlagsOrExit } from '@yoto/flags';
import { createVaeTask } from '@yoto/tasks-vae';
import { blsTrainingStep } from '../packages/tasks-compression/bench/bls.js';

interface Row {
  calls: number;
  wall: number;
  cpu: number;
}

const USAGE = 'YOTO_THREADS=n tsx research/kernel-profile.ts --model bls|vae [--backend b] [--steps n] [--warmup n] [--top n] [--stack Kernel]';

function cpuNow(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

/** The caller that a kernel call is charged to: the first frame in project code, else tfjs's own file. */
function source(stack: string): string {
  const frames = stack.split('\n').slice(1).map((l) => l.trim());
  const ours = frames.find((f) => /\/(packages|research)\//.test(f) && !/node_modules|tfjs-dnnl|tfjs-kernels|kernel-profile/.test(f));
  const tfjs = frames.find((f) => /tfjs-core\/dist\/(gradients|optimizers)\//.test(f));
  const pick = tfjs && (!ours || /optimizers|gradients/.test(tfjs)) ? tfjs : ours;
  if (!pick) return '(other)';
  const m = /([^/\s(]+\/[^/\s(]+?)(?:\.[jt]s)?:\d+:\d+\)?$/.exec(pick);
  return m ? m[1] : pick;
}

/** An expected failure: one line and exit 1, no stack trace (that is kept for bugs, below). */
function fail(message: string): never {
  console.error(`research kernel-profile: ${message}`);
  return process.exit(1);
}

export async function main(argv: string[]): Promise<void> {
  // The project frame a kernel call is charged to lies deep under tfjs's own.
  Error.stackTraceLimit = 60;
  const { flags: o } = parseFlagsOrExit(
    'research kernel-profile',
    argv,
    {
      model: { type: 'string', choices: ['bls', 'vae'], default: 'bls' },
      backend: { type: 'string', choices: BACKEND_CHOICES, default: 'wasm+dnnl' },
      steps: { type: 'integer', min: 1, default: 5 },
      warmup: { type: 'integer', min: 1, default: 2 },
      top: { type: 'integer', min: 1, default: 30 },
      stack: { type: 'string' },
    },
    USAGE,
  );
  // A backend this machine lacks (the addon not built, tfjs-node not installed) is the user's to mend: its reason, in one line.
  const info = await initBackend(o.backend).catch((e: Error) => fail(e.message));
  const kernels = tf.getKernelsForBackend(info.tfBackend);
  if (o.stack !== undefined && !kernels.some((k) => k.kernelName === o.stack))
    fail(`--stack: backend ${info.name} has no kernel '${o.stack}' (kernel names as tfjs registers them, e.g. Conv2D, FusedConv2D, Multiply)`);
  const maps = { name: new Map<string, Row>(), shapes: new Map<string, Row>(), source: new Map<string, Row>(), stack: new Map<string, Row>() };
  let recording = false;
  let childWall = 0;
  let childCpu = 0;
  const add = (map: Map<string, Row>, key: string, wall: number, cpu: number) => {
    const r = map.get(key) ?? { calls: 0, wall: 0, cpu: 0 };
    r.calls++;
    r.wall += wall;
    r.cpu += cpu;
    map.set(key, r);
  };
  for (const k of kernels) {
    const inner = k.kernelFunc;
    const wrapped: tf.KernelFunc = (args) => {
      if (!recording) return inner(args);
      const [outerWall, outerCpu] = [childWall, childCpu];
      childWall = childCpu = 0;
      const w0 = performance.now();
      const c0 = cpuNow();
      const out = inner(args);
      const wall = performance.now() - w0;
      const cpu = cpuNow() - c0;
      const [selfWall, selfCpu] = [wall - childWall, cpu - childCpu];
      const shapes = Object.values(args.inputs)
        .filter((x) => x != null)
        .map((x) => `[${(x as tf.TensorInfo).shape.join(',')}]`)
        .join(' ');
      const stack = new Error().stack ?? '';
      add(maps.name, k.kernelName, selfWall, selfCpu);
      add(maps.shapes, `${k.kernelName} ${shapes}`, selfWall, selfCpu);
      add(maps.source, source(stack), selfWall, selfCpu);
      if (o.stack === k.kernelName) {
        const frames = stack.split('\n').slice(2).filter((l) => !l.includes('kernel-profile')).slice(0, 6).map((l) => l.trim());
        add(maps.stack, `${shapes}\n    ${frames.join('\n    ')}`, selfWall, selfCpu);
      }
      // A nested call counts in full, its bookkeeping (the stack above) included, as its parent's
      // child time: otherwise a kernel built from tfjs ops is charged this script's own work.
      childWall = outerWall + (performance.now() - w0);
      childCpu = outerCpu + (cpuNow() - c0);
      return out;
    };
    tf.unregisterKernel(k.kernelName, info.tfBackend);
    tf.registerKernel({ ...k, kernelFunc: wrapped });
  }

  const times: number[] = [];
  let cpuTotal = 0;
  if (o.model === 'bls') {
    const { step, dispose } = blsTrainingStep(8, 128);
    for (let k = 0; k < o.warmup; k++) step(k);
    recording = true;
    for (let k = 0; k < o.steps; k++) {
      const [w0, c0] = [performance.now(), cpuNow()];
      step(o.warmup + k);
      times.push(performance.now() - w0);
      cpuTotal += cpuNow() - c0;
    }
    recording = false;
    dispose();
  } else {
    const task = createVaeTask({ sharedHidden: false });
    task.trainBatch({ seed: 0, step: 0, batchSize: 1 });
    let step = 0;
    let [w0, c0] = [performance.now(), cpuNow()];
    await train(
      task,
      { mode: 'yoto', steps: o.warmup + o.steps, batchSize: 64, seed: 0, optimizer: { lr: 1e-4 }, logEvery: 1_000_000 },
      {
        onProgress: () => {
          if (recording) {
            times.push(performance.now() - w0);
            cpuTotal += cpuNow() - c0;
          }
          step++;
          recording = step >= o.warmup;
          [w0, c0] = [performance.now(), cpuNow()];
        },
      },
    );
  }
  const n = times.length;
  const sorted = [...times].sort((a, b) => a - b);
  const kernelWall = [...maps.name.values()].reduce((s, r) => s + r.wall, 0) / n;
  const kernelCpu = [...maps.name.values()].reduce((s, r) => s + r.cpu, 0) / n;
  const calls = [...maps.name.values()].reduce((s, r) => s + r.calls, 0) / n;
  const threads = info.native ? `, ${info.native.threads} native threads` : '';
  console.log(
    `${o.model} on ${info.name}${threads}: wall median ${sorted[n >> 1].toFixed(1)} ms/step (mean ${(times.reduce((a, b) => a + b, 0) / n).toFixed(1)}), cpu ${(cpuTotal / n).toFixed(1)} ms/step; ` +
      `kernels ${kernelWall.toFixed(1)} ms wall / ${kernelCpu.toFixed(1)} ms cpu in ${calls.toFixed(0)} calls per step`,
  );
  const show = (title: string, map: Map<string, Row>, top: number) => {
    console.log(`--- ${title} (ms per step: wall, cpu; calls per step)`);
    [...map.entries()]
      .sort((a, b) => b[1].wall - a[1].wall)
      .slice(0, top)
      .forEach(([key, r]) => console.log(`${(r.wall / n).toFixed(2).padStart(8)} ${(r.cpu / n).toFixed(2).padStart(8)} ${(r.calls / n).toFixed(1).padStart(6)}×  ${key}`));
  };
  show('by kernel', maps.name, o.top);
  show('by caller', maps.source, o.top);
  show('by kernel and input shapes', maps.shapes, o.top);
  if (maps.stack.size) show(`call sites of ${o.stack}`, maps.stack, o.top);
}

main(process.argv.slice(2)).catch((e: Error) => {
  console.error(e.stack ?? e.message);
  process.exit(1);
});
