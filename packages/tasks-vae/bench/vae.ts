/**
 * `pnpm bench vae [--json] [--backend b] [--steps n] [--warmup n] [--batch n] [--loop trainer|minimal] [--reference]`:
 * times one training step (forward, backward, Adam update, loss read back) of the benchmark VAE of
 * docs/benchmarks.md — 28×28×1, batch 64, latent 16, conv 32 → 64 with FiLM on log β, one β per
 * example from LogUniform[1/8, 64] — on the active tfjs backend, as the PyTorch reference
 * (`torch_reference.py vae`) does, so the two compare as a ratio.
 *
 * `--loop trainer` (default) times core's real training loop on MNIST batches (batch building,
 * gradient norm and NaN check included); `--loop minimal` times the same trainer's step on one fixed
 * random binary batch (no data pipeline), the reference's work. `--reference` also runs the PyTorch
 * anchor (1 thread) in the same sitting and prints the throughput ratio, both per wall-clock second
 * (median step times) and per CPU-second (steadier when other processes share the machine).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { Rng, initBackend, train } from '@yoto/core';
import { BENCHMARK_VAE, createVaeTask, type VaeTask } from '../src/index.js';
import { quantile } from '@yoto/bench-stats';
import { parseFlags } from '@yoto/flags';

export interface VaeBenchResult {
  model: 'vae';
  backend: string;
  loop: 'trainer' | 'minimal';
  batch: number;
  steps: number;
  warmup: number;
  ms_per_step: number;
  p10_ms: number;
  p90_ms: number;
  images_per_s: number;
  /** CPU time of this process per timed step (user + system): steadier than wall time on a busy machine. */
  cpu_ms_per_step: number;
  reference?:
    | {
        ms_per_step: number;
        images_per_s: number;
        torch: string;
        threads: number;
        /** ours / PyTorch, images per second of wall time (the measure). */
        ratio_images_per_s: number;
        /** PyTorch's CPU time per step, and PyTorch CPU ms / ours: throughput per CPU-second. */
        cpu_ms_per_step: number;
        ratio_cpu: number | null;
      }
    | { error: string };
}

interface Args {
  help?: boolean;
  json: boolean;
  backend?: string;
  steps: number;
  warmup: number;
  batch: number;
  loop: 'trainer' | 'minimal';
  reference: boolean;
}

const USAGE = 'pnpm bench vae [--json] [--backend b] [--steps n] [--warmup n] [--batch n] [--loop trainer|minimal] [--reference]';

function parseArgs(args: string[]): Args {
  const { flags: f } = parseFlags(
    'bench vae',
    args,
    {
      json: { type: 'boolean' },
      backend: { type: 'string' },
      steps: { type: 'integer', min: 1, default: 50 },
      warmup: { type: 'integer', min: 0, default: 10 },
      batch: { type: 'integer', min: 1, default: 64 },
      loop: { type: 'string', choices: ['trainer', 'minimal'], default: 'trainer' },
      reference: { type: 'boolean' },
    },
    USAGE,
  );
  return f;
}

export async function runVaeBench(args: Args): Promise<VaeBenchResult> {
  const info = await initBackend(args.backend);
  const { times, cpuMs } = await trainerTimes(args.loop === 'trainer' ? mnistTask() : bareTask(args.batch), args);
  const timed = times.slice(args.warmup);
  const ms = quantile(timed, 0.5);
  return {
    model: 'vae',
    backend: info.name,
    loop: args.loop,
    batch: args.batch,
    steps: args.steps,
    warmup: args.warmup,
    ms_per_step: round(ms),
    p10_ms: round(quantile(timed, 0.1)),
    p90_ms: round(quantile(timed, 0.9)),
    images_per_s: round((args.batch * 1000) / ms, 1),
    cpu_ms_per_step: round(cpuMs / args.steps),
  };
}

/** The benchmark VAE on MNIST: the task's defaults are the benchmark shape; one hidden layer per FiLM head, as in the reference. */
function mnistTask(): VaeTask {
  const task = createVaeTask({ sharedHidden: false });
  task.trainBatch({ seed: 0, step: 0, batchSize: 1 }); // load MNIST before the clock starts
  return task;
}

/** The same task with every batch the one fixed random binary batch (fresh ε per step): no data pipeline. */
function bareTask(n: number): VaeTask {
  const task = mnistTask();
  const rng = new Rng(0);
  // Made outside the trainer's step, so the step's tidy leaves it alone.
  const x = tf.tensor4d(Float32Array.from({ length: n * 784 }, () => (rng.uniform() > 0.5 ? 1 : 0)), [n, 28, 28, 1]);
  return Object.assign(Object.create(task) as VaeTask, {
    trainBatch: ({ seed, step, batchSize }: { seed: number; step: number; batchSize: number }) => ({
      size: batchSize,
      tensors: { x, noise: tf.tensor2d(task.noise(seed, step, batchSize), [batchSize, BENCHMARK_VAE.latent]) },
    }),
  });
}

/** Per-step wall times of core's trainer on `task`: the time between consecutive progress callbacks. */
async function trainerTimes(task: VaeTask, args: Args): Promise<{ times: number[]; cpuMs: number }> {
  const times: number[] = [];
  let cpuStart: NodeJS.CpuUsage | null = args.warmup === 0 ? process.cpuUsage() : null;
  let cpuMs = 0;
  let last = performance.now();
  const result = await train(
    task,
    { mode: 'yoto', steps: args.warmup + args.steps, batchSize: args.batch, seed: 0, optimizer: { lr: 1e-4 }, logEvery: 1_000_000 },
    {
      onProgress: () => {
        const now = performance.now();
        times.push(now - last);
        last = now;
        if (times.length === args.warmup) cpuStart = process.cpuUsage();
        if (times.length === args.warmup + args.steps && cpuStart) {
          const c = process.cpuUsage(cpuStart);
          cpuMs = (c.user + c.system) / 1000;
        }
      },
    },
  );
  (result.model as { dispose?: () => void }).dispose?.();
  return { times, cpuMs };
}

function round(v: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** The anchor script, found from this file (packages/tasks-vae/bench → ../../../../shared). */
export function anchorScript(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'shared', 'anchors', 'torch_reference.py');
}

/**
 * Runs the anchor's own bench() (what `torch_reference.py vae --threads 1` runs) in a small driver
 * that also reads the interpreter's CPU time around it, start-up excluded.
 */
const TORCH_DRIVER = `
import importlib.util, json, sys, time, torch
spec = importlib.util.spec_from_file_location("torch_reference", sys.argv[1])
ref = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ref)
torch.set_num_threads(1)
batch, steps, warmup = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
t = time.process_time()
out = ref.bench("vae", batch, steps, warmup)
out["cpu_ms_per_step"] = round((time.process_time() - t) * 1000 / (steps + warmup), 2)
print(json.dumps(out))
`;

/**
 * The PyTorch anchor, 1 thread, in this sitting: its median wall time per step (the figure the
 * target is stated in) and its CPU time per step. On a shared machine the wall ratio swings with
 * whoever else runs; the ratio of CPU times is steadier.
 */
function runReference(batch: number, ours: VaeBenchResult): NonNullable<VaeBenchResult['reference']> {
  const script = anchorScript();
  if (!existsSync(script)) return { error: `${script} not found` };
  const py = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const r = spawnSync(py, ['-c', TORCH_DRIVER, script, String(batch), '60', '5'], { encoding: 'utf8' });
  if (r.status !== 0) return { error: (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n').pop() ?? 'failed' };
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as { ms_per_step: number; images_per_s: number; torch: string; threads: number; cpu_ms_per_step: number };
  return {
    ms_per_step: j.ms_per_step,
    images_per_s: j.images_per_s,
    torch: j.torch,
    threads: j.threads,
    ratio_images_per_s: round(ours.images_per_s / j.images_per_s, 3),
    cpu_ms_per_step: j.cpu_ms_per_step,
    ratio_cpu: ours.cpu_ms_per_step > 0 ? round(j.cpu_ms_per_step / ours.cpu_ms_per_step, 3) : null,
  };
}

export async function main(argv: string[]): Promise<VaeBenchResult | null> {
  const args = parseArgs(argv);
  if (args.help) {
    console.log(`usage: ${USAGE}`);
    return null;
  }
  const r = await runVaeBench(args);
  if (args.reference) r.reference = runReference(args.batch, r);
  if (args.json) console.log(JSON.stringify(r));
  else {
    console.log(
      `vae (benchmark shape, batch ${r.batch}, ${r.loop} loop) on ${r.backend}: median ${r.ms_per_step} ms/step ` +
        `(p10 ${r.p10_ms}, p90 ${r.p90_ms}; ${r.steps} steps after ${r.warmup} warm-up), ${r.images_per_s} images/s; ` +
        `CPU ${r.cpu_ms_per_step} ms/step`,
    );
    const ref = r.reference;
    if (ref && 'error' in ref) console.log(`PyTorch reference: not run (${ref.error})`);
    else if (ref)
      console.log(
        `PyTorch ${ref.torch} (${ref.threads} thread): ${ref.ms_per_step} ms/step, ${ref.images_per_s} images/s; tfjs/PyTorch throughput ratio ${ref.ratio_images_per_s}` +
          (ref.ratio_cpu !== null ? `; CPU ${ref.cpu_ms_per_step} ms/step, ratio per CPU-second ${ref.ratio_cpu}` : ''),
      );
  }
  return r;
}
