/**
 * `pnpm bench bls [--json] [--backend b] [--steps n] [--warmup n] [--batch n] [--size s] [--reference]`:
 * times one training step (forward with uniform noise, rate and distortion, backward, Adam update,
 * loss read back) of the benchmark compression model of docs/benchmarks.md — N = 64, M = 96,
 * 128×128×3 inputs, batch 8, FiLM on log λ with λ ~ LogUniform[0.0018, 0.18] per example — on the
 * active tfjs backend. `--reference` also runs the PyTorch anchor (`torch_reference.py bls`, 1
 * thread) in the same sitting and prints the ratio.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@yoto/core';
import { BENCHMARK_CONFIG, BlsFactorizedTask, FactorizedPrior } from '../src/index.js';
import { median } from '@yoto/bench-stats';
import { parseFlags } from '@yoto/flags';

const USAGE = 'pnpm bench bls [--json] [--backend b] [--steps n] [--warmup n] [--batch n] [--size s] [--reference]';

export interface BlsBenchResult {
  model: 'bls';
  backend: string;
  batch: number;
  size: number;
  steps: number;
  ms_per_step: number;
  images_per_s: number;
  reference?: { ms_per_step: number; images_per_s: number; torch: string; threads: number; ratio_images_per_s: number } | { error: string };
}

/** The anchor script, found from this file (packages/tasks-compression/bench → ../../../../shared). */
export function anchorScript(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return resolve(here, '..', '..', '..', '..', 'shared', 'anchors', 'torch_reference.py');
}

export async function main(args: string[]): Promise<BlsBenchResult | null> {
  const { flags: f } = parseFlags(
    'bench bls',
    args,
    {
      json: { type: 'boolean' },
      backend: { type: 'string' },
      steps: { type: 'integer', min: 1, default: 10 },
      warmup: { type: 'integer', min: 0, default: 3 },
      batch: { type: 'integer', min: 1, default: 8 },
      size: { type: 'integer', min: 16, default: 128 },
      reference: { type: 'boolean' },
    },
    USAGE,
  );
  if (f.help) {
    console.log(`usage: ${USAGE}`);
    return null;
  }
  const { steps, warmup, batch, size } = f;
  if (size % 16) throw new Error(`bench bls: --size must be a multiple of 16 (the transform's stride), got ${size}; usage: ${USAGE}`);
  const backend = await initBackend(f.backend);

  const { step, dispose } = blsTrainingStep(batch, size);
  for (let k = 0; k < warmup; k++) step(k);
  const times: number[] = [];
  for (let k = 0; k < steps; k++) {
    const t0 = performance.now();
    step(warmup + k);
    times.push(performance.now() - t0);
  }
  const ms = median(times);
  const result: BlsBenchResult = { model: 'bls', backend: backend.name, batch, size, steps, ms_per_step: round(ms), images_per_s: round((batch * 1000) / ms) };
  dispose();

  if (f.reference) result.reference = runReference(batch, result.images_per_s);
  if (f.json) console.log(JSON.stringify(result));
  else {
    console.log(`bls training step (${backend.name}, batch ${batch}, ${size}×${size}, N=64 M=96): ${result.ms_per_step} ms median over ${steps} steps, ${result.images_per_s} images/s`);
    const r = result.reference;
    if (r && 'error' in r) console.log(`PyTorch reference: not run (${r.error})`);
    else if (r) console.log(`PyTorch ${r.torch} (${r.threads} thread): ${r.ms_per_step} ms, ${r.images_per_s} images/s; tfjs/PyTorch throughput ratio ${r.ratio_images_per_s}`);
  }
  return result;
}

/**
 * One training step of the benchmark model (the work this benchmark times), on the active backend:
 * `step(k)` runs step k and returns its loss. Exported for research/kernel-profile.ts.
 */
export function blsTrainingStep(batch: number, size: number): { step: (k: number) => number; dispose: () => void } {
  const task = new BlsFactorizedTask({ config: BENCHMARK_CONFIG });
  const space = task.defaultSpace();
  const model = new FactorizedPrior({ space, conditioned: true, seed: 0, config: BENCHMARK_CONFIG });
  const rng = new Rng(0);
  const x = tf.tensor4d(Float32Array.from({ length: batch * size * size * 3 }, () => rng.uniform()), [batch, size, size, 3]);
  const opt = tf.train.adam(1e-4);
  const step = (k: number): number => {
    const lambdas = space.sample(batch, rng);
    const lam = Float32Array.from({ length: batch }, (_, i) => lambdas[2 * i]);
    const condition = space.condition(lambdas, batch);
    const lamT = tf.tensor1d(lam);
    const loss = opt.minimize(
      () =>
        tf.tidy(() => {
          const { xHat, bits } = model.trainForward(x, condition, k);
          const dist = tf.mul(tf.mean(tf.squaredDifference(xHat, x), [1, 2, 3]), 255 * 255);
          return tf.mean(tf.add(tf.mul(lamT, dist), tf.div(bits, size * size))) as tf.Scalar;
        }),
      true,
      model.params.variables,
    )!;
    const v = loss.dataSync()[0];
    tf.dispose([loss, condition, lamT]);
    if (!Number.isFinite(v)) throw new Error(`bench bls: loss is ${v} at step ${k}`);
    return v;
  };
  return {
    step,
    dispose: () => {
      model.dispose();
      x.dispose();
    },
  };
}

function runReference(batch: number, ours: number): NonNullable<BlsBenchResult['reference']> {
  const script = anchorScript();
  if (!existsSync(script)) return { error: `${script} not found` };
  const py = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const r = spawnSync(py, [script, 'bls', '--threads', '1', '--batch', String(batch)], { encoding: 'utf8' });
  if (r.status !== 0) return { error: (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n').pop() ?? 'failed' };
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as { ms_per_step: number; images_per_s: number; torch: string; threads: number };
  return { ...j, ratio_images_per_s: round(ours / j.images_per_s, 3) };
}

function round(v: number, digits = 2): number {
  const p = 10 ** digits;
  return Math.round(v * p) / p;
}
