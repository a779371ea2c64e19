/**
 * `pnpm bench style [--json] [--backend b] [--steps n] [--warmup n] [--batch n] [--size px] [--infer-size px]`:
 * on the active tfjs backend, images per second of (1) one YOTO training step of the default
 * style-adjustable network (forward through the transformer and MobileNet up to conv_pw_11, the five
 * per-example terms with softmax Grams, backward, Adam update, loss read back) on `--size` photos in
 * batches of `--batch`, and (2) inference — the transformer alone at one λ — on one `--infer-size`
 * square image. Medians over the timed steps (after `--warmup`), with CPU time per step beside them.
 * Needs the data root's style photos and MobileNet weights. `--reference` also runs the same network
 * and loss in PyTorch (`torch_style.py` beside this file, 1 thread, Debian's python3-torch) in the
 * same sitting and prints the ratios; under load compare the CPU times, which starvation does not inflate.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { Rng, initBackend } from '@yoto/core';
// The lower of the two middle values with an even count: the README's style figures were measured so,
// with even step counts (--steps 8, 4, 2), and keep their meaning. Its PyTorch anchor (torch_style.py)
// takes statistics.median, the mean: with an even --steps the two sides of a --reference ratio use
// different rules.
import { lowerMedian as median } from '@yoto/bench-stats';
import { parseFlags } from '@yoto/flags';
import { StyleTask, STYLE_TERMS } from '../src/index.js';

const USAGE = 'pnpm bench style [--json] [--backend b] [--steps n] [--warmup n] [--batch n] [--size px] [--infer-size px] [--reference]';

export async function main(argv: string[]): Promise<number> {
  const { flags: v } = parseFlags(
    'bench style',
    argv,
    {
      json: { type: 'boolean' },
      backend: { type: 'string' },
      steps: { type: 'integer', min: 1, default: 10 },
      warmup: { type: 'integer', min: 0, default: 2 },
      batch: { type: 'integer', min: 1, default: 4 },
      size: { type: 'integer', min: 16, default: 64 },
      'infer-size': { type: 'integer', min: 16, default: 512 },
      reference: { type: 'boolean' },
    },
    USAGE,
  );
  if (v.help) {
    console.log(USAGE);
    return 0;
  }
  const { steps, warmup, batch, size, 'infer-size': inferSize } = v;
  if (size % 4 || inferSize % 4) throw new Error('bench style: --size and --infer-size must be multiples of 4');
  const backend = await initBackend(v.backend);
  const task = new StyleTask({ imageSize: size, trainLimit: Math.max(batch, 8) });
  await task.prepare();
  const space = task.defaultSpace();
  const model = task.buildModel({ space, conditioned: true, seed: 1 });
  const optimizer = tf.train.adam(1e-3);
  const rng = new Rng(1);
  const vars = model.params.variables;
  const train: number[] = [];
  const trainCpu: number[] = [];
  for (let i = 0; i < warmup + steps; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const lambda = space.sample(batch, rng);
    const loss = tf.tidy(() => {
      const b = task.trainBatch({ step: i, batchSize: batch, seed: 1 });
      const lam = tf.tensor2d(lambda, [batch, STYLE_TERMS.length]);
      const condition = space.condition(lambda, batch);
      return optimizer.minimize(() => {
        const t = task.lossTerms(model, b, { training: true, lambda: lam, condition });
        return tf.mean(tf.sum(tf.mul(tf.stack(STYLE_TERMS.map((k) => t[k]), 1), lam), 1)) as tf.Scalar;
      }, true, vars)!;
    });
    loss.dataSync();
    loss.dispose();
    const c = process.cpuUsage(c0);
    if (i >= warmup) {
      train.push(performance.now() - t0);
      trainCpu.push((c.user + c.system) / 1000);
    }
  }
  const x = tf.randomUniform([1, inferSize, inferSize, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
  const cond = space.condition([0.55, 0.5, 0.5, 0.5, 0.5], 1);
  const infer: number[] = [];
  for (let i = 0; i < warmup + steps; i++) {
    const t0 = performance.now();
    const y = tf.tidy(() => model.stylize(x, model.norms(cond)));
    y.dataSync();
    y.dispose();
    if (i >= warmup) infer.push(performance.now() - t0);
  }
  const round = (n: number, d = 2): number => Number(n.toFixed(d));
  const result = {
    model: 'style',
    backend: backend.name,
    network: model.config,
    train: { batch, size, ms_per_step: round(median(train)), cpu_ms_per_step: round(median(trainCpu)), images_per_s: round((batch * 1000) / median(train)) },
    inference: { size: inferSize, ms_per_image: round(median(infer)), images_per_s: round(1000 / median(infer), 3) },
    steps,
    warmup,
    ...(v.reference ? { reference: runReference({ batch, size, inferSize, steps, warmup }, { msPerStep: median(train), cpuMsPerStep: median(trainCpu), msPerImage: median(infer) }) } : {}),
  };
  if (v.json) console.log(JSON.stringify(result));
  else {
    console.log(
      `style on ${backend.name}: training ${result.train.images_per_s} images/s (${size}×${size}, batch ${batch}, ${result.train.ms_per_step} ms/step, ${result.train.cpu_ms_per_step} CPU ms/step); ` +
        `inference ${result.inference.images_per_s} images/s at ${inferSize}×${inferSize} (${result.inference.ms_per_image} ms)`,
    );
    const r = result.reference;
    if (r && 'error' in r) console.log(`PyTorch reference: not run (${r.error})`);
    else if (r)
      console.log(
        `PyTorch ${r.torch} (${r.threads} thread): training ${r.ms_per_step} ms/step, ${r.cpu_ms_per_step} CPU ms/step; inference ${r.ms_per_image} ms; ` +
          `tfjs/PyTorch throughput ratio: training ${r.ratio.train} (CPU time ${r.ratio.train_cpu}), inference ${r.ratio.inference}`,
      );
  }
  tf.dispose([x, cond]);
  model.dispose();
  task.dispose();
  return 0;
}

interface Ours {
  msPerStep: number;
  cpuMsPerStep: number;
  msPerImage: number;
}


type Reference =
  | { torch: string; threads: number; ms_per_step: number; cpu_ms_per_step: number; ms_per_image: number; ratio: { train: number; train_cpu: number; inference: number } }
  | { error: string };

/** The same network and loss in PyTorch (torch_style.py, 1 thread), same shapes and step counts; ratios > 1: tfjs is faster. */
function runReference(o: { batch: number; size: number; inferSize: number; steps: number; warmup: number }, ours: Ours): Reference {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'torch_style.py');
  const py = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const args = [script, '--threads', '1', '--batch', String(o.batch), '--size', String(o.size), '--infer-size', String(o.inferSize), '--steps', String(o.steps), '--warmup', String(o.warmup)];
  const r = spawnSync(py, args, { encoding: 'utf8' });
  if (r.status !== 0) return { error: (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n').pop() ?? 'failed' };
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as { torch: string; threads: number; ms_per_step: number; cpu_ms_per_step: number; ms_per_image: number };
  const ratio = (theirs: number, mine: number) => Number((theirs / mine).toFixed(3));
  return { ...j, ratio: { train: ratio(j.ms_per_step, ours.msPerStep), train_cpu: ratio(j.cpu_ms_per_step, ours.cpuMsPerStep), inference: ratio(j.ms_per_image, ours.msPerImage) } };
}
