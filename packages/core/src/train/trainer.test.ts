import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointPath, readCheckpoint, saveCheckpoint } from '../checkpoint/file.js';
import type { Checkpoint } from '../checkpoint/format.js';
import { loadModel } from '../checkpoint/load-model.js';
import { evaluateAt, evaluateGrid } from '../eval/grid.js';
import { MemorySink } from '../metrics/sink.js';
import { TwoTargetTask } from '../testing/two-target-task.js';
import type { Batch, BuildOptions, LossContext, LossTerms, TrainBatchOptions } from '../task/task.js';
import type { TwoTargetModel } from '../testing/two-target-task.js';
import { DivergedLossError, NonFiniteLossError, learningRateAt, train, type TrainConfig, type TrainProgress } from './index.js';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'yoto-trainer-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const base: TrainConfig = { mode: 'yoto', steps: 24, batchSize: 8, seed: 5, optimizer: { lr: 0.01 }, schedule: { kind: 'cosine', warmupSteps: 3 }, clipGradNorm: 5, logEvery: 1 };

async function weights(model: TwoTargetModel): Promise<Record<string, Float32Array>> {
  const out: Record<string, Float32Array> = {};
  for (const [n, v] of model.params.entries()) out[n] = (await v.data()) as Float32Array;
  return out;
}

function snapshot(model: TwoTargetModel): Record<string, Float32Array> {
  return Object.fromEntries(model.params.entries().map(([n, v]) => [n, (v.dataSync() as Float32Array).slice()]));
}

/**
 * Trains until `train` throws. Returns the error, the weights after the last completed step (null
 * when none completed) and the weights the model held when the trainer disposed of it.
 */
async function failingRun(
  task: TwoTargetTask,
  cfg: TrainConfig,
  onStep?: (p: TrainProgress) => void,
): Promise<{ err: unknown; lastGood: Record<string, Float32Array> | null; atEnd: Record<string, Float32Array> | null }> {
  let model: TwoTargetModel | null = null;
  let lastGood: Record<string, Float32Array> | null = null;
  let atEnd: Record<string, Float32Array> | null = null;
  const probe = Object.assign(Object.create(task) as TwoTargetTask, {
    buildModel(o: BuildOptions): TwoTargetModel {
      const m = task.buildModel(o);
      const dispose = m.params.dispose.bind(m.params);
      m.params.dispose = () => {
        atEnd = snapshot(m);
        dispose();
      };
      return (model = m);
    },
  });
  const err = await train(probe, cfg, {
    onProgress: (p) => {
      lastGood = snapshot(model!);
      onStep?.(p);
    },
  }).then(
    () => new Error('train completed'),
    (e: unknown) => e,
  );
  return { err, lastGood, atEnd };
}

describe('train: the model is built for the run', () => {
  it("a fixed-λ run's λ reaches buildModel (and a checkpoint's load), a YOTO run passes none", async () => {
    const seen: (readonly number[] | undefined)[] = [];
    const probe = (): TwoTargetTask => {
      const task = new TwoTargetTask();
      return Object.assign(Object.create(task) as TwoTargetTask, {
        buildModel(o: BuildOptions): TwoTargetModel {
          seen.push(o.lambda);
          return task.buildModel(o);
        },
      });
    };
    const fixed = await train(probe(), { ...base, mode: 'fixed', lambda: [0.25, 0.75], steps: 1, checkpoint: { dir: join(dir, 'build-lambda'), every: 1 } });
    fixed.model.params.dispose();
    (await train(probe(), { ...base, steps: 1 })).model.params.dispose();
    expect(seen).toEqual([[0.25, 0.75], undefined]);
    (await loadModel(probe(), fixed.checkpointPath!)).model.params.dispose();
    expect(seen[2]).toEqual([0.25, 0.75]);
  });
});

describe('train: resume', () => {
  for (const variant of ['yoto', 'fixed', 'yoto-stratified'] as const)
    it(`${variant}: half + checkpoint + fresh restart + half ends bitwise where an uninterrupted run does`, async () => {
      const mode = variant === 'fixed' ? 'fixed' : 'yoto';
      const cfg: TrainConfig = { ...base, mode, lambda: mode === 'fixed' ? [1, 2] : undefined, ...(variant === 'yoto-stratified' ? { lambdaSampling: 'stratified' as const } : {}) };
      const straightSink = new MemorySink();
      const straight = await train(new TwoTargetTask(), { ...cfg, checkpoint: { dir: join(dir, `${variant}-straight`), every: 100 } }, { sink: straightSink });
      expect(straight.status).toBe('completed');

      const ckptDir = join(dir, `${variant}-resumed`);
      const controller = new AbortController();
      const first = await train(new TwoTargetTask(), { ...cfg, checkpoint: { dir: ckptDir, every: 100 } }, {
        signal: controller.signal,
        onProgress: (p) => p.step === 12 && controller.abort(),
      });
      expect(first).toMatchObject({ status: 'aborted', step: 12 });
      expect((await readCheckpoint(checkpointPath(ckptDir))).step).toBe(12);
      first.model.params.dispose();

      // A new task object and model, as in a new process; only the checkpoint carries state over.
      const sink = new MemorySink();
      const second = await train(new TwoTargetTask(), { ...cfg, checkpoint: { dir: ckptDir, every: 100 }, resume: true }, { sink });
      expect(second).toMatchObject({ status: 'completed', step: 24, resumedFrom: 12 });
      expect(await weights(second.model)).toEqual(await weights(straight.model));
      expect(sink.steps).toEqual(straightSink.steps.slice(12));
      // The optimizer state ends identical too.
      const [a, b] = await Promise.all([readCheckpoint(checkpointPath(join(dir, `${variant}-straight`))), readCheckpoint(checkpointPath(ckptDir))]);
      expect(b.adam).toEqual(a.adam);
      expect(b.rngState).toEqual(a.rngState);
      straight.model.params.dispose();
      second.model.params.dispose();
    });

  it('refuses to resume under a different configuration or task, naming what differs', async () => {
    const ckptDir = join(dir, 'mismatch');
    const r = await train(new TwoTargetTask(), { ...base, steps: 4, checkpoint: { dir: ckptDir, every: 2 } });
    r.model.params.dispose();
    const file = checkpointPath(ckptDir);
    await expect(train(new TwoTargetTask(), { ...base, steps: 4, batchSize: 16, checkpoint: { dir: ckptDir, every: 2 }, resume: true })).rejects.toThrow(
      new RegExp(`checkpoint ${file}: was written with a different configuration: batchSize \\(checkpoint 8, now 16\\)`),
    );
    await expect(train(new TwoTargetTask(), { ...base, steps: 4, learningRateScales: { 'l1/': 2 }, resume: file })).rejects.toThrow(
      /different configuration: learningRateScales \(checkpoint undefined, now \{"l1\/":2\}\)/,
    );
    await expect(train(new TwoTargetTask({ name: 'other' }), { ...base, steps: 4, resume: file })).rejects.toThrow(/was written by task 'two-target', not 'other'/);
    await expect(train(new TwoTargetTask({ hidden: 16 }), { ...base, steps: 4, resume: file })).rejects.toThrow(
      /does not match the model.*'l1\/kernel' has shape \[1, 32\], the model expects \[1, 16\]/,
    );
    await expect(train(new TwoTargetTask({ extraParam: true }), { ...base, steps: 4, resume: file })).rejects.toThrow(/missing 1 variable\(s\): 'extra'/);
    const extraDir = join(dir, 'mismatch-extra');
    const withExtra = await train(new TwoTargetTask({ extraParam: true }), { ...base, steps: 2, checkpoint: { dir: extraDir, every: 2 } });
    withExtra.model.params.dispose();
    await expect(train(new TwoTargetTask(), { ...base, steps: 2, resume: checkpointPath(extraDir) })).rejects.toThrow(/1 unexpected variable\(s\): 'extra'/);
    await expect(train(new TwoTargetTask(), { ...base, steps: 4, resume: join(dir, 'nope.yotockpt') })).rejects.toThrow(/nope.yotockpt: does not exist/);
    // Resuming a finished run does nothing more.
    const again = await train(new TwoTargetTask(), { ...base, steps: 4, checkpoint: { dir: ckptDir, every: 2 }, resume: true });
    expect(again).toMatchObject({ step: 4, resumedFrom: 4, status: 'completed' });
    again.model.params.dispose();
  });
});

describe('train: checkpoints that cannot be resumed', () => {
  it('refuses a checkpoint without optimizer or sampler state, or whose step lies outside the run', async () => {
    const ckptDir = join(dir, 'incomplete');
    const r = await train(new TwoTargetTask(), { ...base, steps: 4, checkpoint: { dir: ckptDir, every: 2 } });
    r.model.params.dispose();
    const good = await readCheckpoint(checkpointPath(ckptDir));
    const variant = async (name: string, change: Partial<Checkpoint>): Promise<string> => {
      const file = join(dir, `${name}.yotockpt`);
      await saveCheckpoint(file, { ...good, ...change });
      return file;
    };
    const resume = (file: string, steps = 4) => train(new TwoTargetTask(), { ...base, steps, resume: file });
    const noAdam = await variant('no-adam', { adam: null });
    await expect(resume(noAdam)).rejects.toThrow(`checkpoint ${noAdam}: holds no optimizer or sampler state, so training cannot resume from it`);
    const noRng = await variant('no-rng', { rngState: null });
    await expect(resume(noRng)).rejects.toThrow(`checkpoint ${noRng}: holds no optimizer or sampler state`);
    const beyond = await variant('beyond', { step: 9 });
    await expect(resume(beyond)).rejects.toThrow(`checkpoint ${beyond}: step 9 is outside this run of 4 steps`);
    const negative = await variant('negative', { step: -1 });
    await expect(resume(negative)).rejects.toThrow(`checkpoint ${negative}: step -1 is outside this run of 4 steps`);
    const fractional = await variant('fractional', { step: 1.5 });
    await expect(resume(fractional)).rejects.toThrow(`checkpoint ${fractional}: step 1.5 is outside this run of 4 steps`);
    // The unmodified checkpoint resumes (its step 4 ends the run at once).
    const again = await resume(checkpointPath(ckptDir));
    expect(again).toMatchObject({ status: 'completed', step: 4, resumedFrom: 4 });
    again.model.params.dispose();
  });
});

describe('train: the loop', () => {
  it('gives both modes the same batches in the same order', async () => {
    const yotoCalls: TrainBatchOptions[] = [];
    const fixedCalls: TrainBatchOptions[] = [];
    const a = await train(new TwoTargetTask({ calls: yotoCalls }), { ...base, steps: 5 });
    const b = await train(new TwoTargetTask({ calls: fixedCalls }), { ...base, steps: 5, mode: 'fixed', lambda: { to_b: 3 } });
    expect(yotoCalls).toEqual(fixedCalls);
    expect(yotoCalls.map((c) => c.step)).toEqual([0, 1, 2, 3, 4]);
    expect(b.config.lambda).toEqual([1, 3]);
    a.model.params.dispose();
    b.model.params.dispose();
  });

  it('weights each example by its own λ and logs loss, terms, lr and gradient norm', async () => {
    // Terms are constants per example (c_b and d_b); the loss must be mean_b (λ_a[b]·c_b + λ_b[b]·d_b).
    const task = new TwoTargetTask();
    const conditions: Float32Array[] = [];
    const lambdas: Float32Array[] = [];
    const probe = Object.assign(Object.create(task) as TwoTargetTask, {
      lossTerms(model: TwoTargetModel, batch: Batch, ctx: LossContext): LossTerms {
        conditions.push(ctx.condition!.dataSync() as Float32Array);
        lambdas.push(ctx.lambda.dataSync() as Float32Array);
        const y = model.forward(batch.tensors.x as tf.Tensor2D, ctx.condition);
        const zero = tf.mul(tf.sum(y, 1), 0); // keeps the parameters connected to the loss
        const n = batch.size;
        return {
          to_a: tf.add(zero, tf.range(0, n).add(1)) as tf.Tensor1D,
          to_b: tf.add(zero, tf.range(0, n).mul(-0.5).add(4)) as tf.Tensor1D,
        };
      },
    });
    const sink = new MemorySink();
    const r = await train(probe, { ...base, steps: 3 }, { sink });
    expect(sink.steps.map((s) => s.step)).toEqual([0, 1, 2]);
    for (let s = 0; s < 3; s++) {
      // The context holds the raw λ rows and their log encoding (to_a fixed at 1, to_b sampled).
      const lb = [...lambdas[s]].filter((_, i) => i % 2 === 1);
      expect([...lambdas[s]].filter((_, i) => i % 2 === 0)).toEqual(lb.map(() => 1));
      expect([...conditions[s]]).toEqual(lb.map((l) => Math.fround(Math.log(l))));
      const expected = lb.reduce((acc, l, b) => acc + (b + 1 + l * (4 - 0.5 * b)), 0) / lb.length;
      const v = sink.steps[s].values;
      expect(v.loss).toBeCloseTo(expected, 4);
      expect(v.to_a).toBeCloseTo(4.5, 5);
      expect(v.to_b).toBeCloseTo(2.25, 5);
      expect(v.lr).toBeCloseTo(learningRateAt(s, 0.01, base.schedule!, 3), 10);
      expect(v.grad_norm).toBe(0);
    }
    expect(sink.params).toMatchObject({ task: 'two-target', mode: 'yoto', steps: 3, batchSize: 8, conditioned: true, backend: 'cpu', threads: 1 });
    r.model.params.dispose();
  });

  it('normalizeLossWeights: weighs each example by its λ over their geometric mean; the task still sees the raw λ', async () => {
    // Same constant terms as above: the loss must be mean_b (λ_a·c_b + λ_b·d_b) / √(λ_a·λ_b), λ_a = 1.
    const task = new TwoTargetTask();
    const lambdas: Float32Array[] = [];
    const probe = Object.assign(Object.create(task) as TwoTargetTask, {
      lossTerms(model: TwoTargetModel, batch: Batch, ctx: LossContext): LossTerms {
        lambdas.push(ctx.lambda.dataSync() as Float32Array);
        const zero = tf.mul(tf.sum(model.forward(batch.tensors.x as tf.Tensor2D, ctx.condition), 1), 0);
        const n = batch.size;
        return { to_a: tf.add(zero, tf.range(0, n).add(1)) as tf.Tensor1D, to_b: tf.add(zero, tf.range(0, n).mul(-0.5).add(4)) as tf.Tensor1D };
      },
    });
    const sink = new MemorySink();
    const r = await train(probe, { ...base, steps: 3, normalizeLossWeights: true }, { sink });
    for (let s = 0; s < 3; s++) {
      const la = [...lambdas[s]].filter((_, i) => i % 2 === 0);
      const lb = [...lambdas[s]].filter((_, i) => i % 2 === 1);
      expect(la).toEqual(lb.map(() => 1));
      // Drawn from LogUniform[0.1, 10], not already normalised.
      expect(lb.some((l) => Math.abs(l - 1) > 0.1)).toBe(true);
      const expected = lb.reduce((acc, l, b) => acc + (b + 1 + l * (4 - 0.5 * b)) / Math.sqrt(l), 0) / lb.length;
      expect(sink.steps[s].values.loss).toBeCloseTo(expected, 4);
    }
    expect(sink.params).toMatchObject({ normalizeLossWeights: true });
    expect(r.config.normalizeLossWeights).toBe(true);
    r.model.params.dispose();
    // A fixed λ: a constant factor 1/√(2·8) on the usual sum.
    const fixedSink = new MemorySink();
    const f = await train(new TwoTargetTask(), { ...base, mode: 'fixed', lambda: [2, 8], steps: 2, normalizeLossWeights: true }, { sink: fixedSink });
    for (const { values } of fixedSink.steps) expect(values.loss).toBeCloseTo((2 * values.to_a + 8 * values.to_b) / 4, 4);
    f.model.params.dispose();
  });

  it("lambdaSampling 'stratified': every batch's λ cover the distribution's B strata once each, the task sees them raw; recorded in params and checkpoint", async () => {
    const task = new TwoTargetTask();
    const lambdas: number[][] = [];
    const probe = Object.assign(Object.create(task) as TwoTargetTask, {
      lossTerms(model: TwoTargetModel, batch: Batch, ctx: LossContext): LossTerms {
        lambdas.push([...(ctx.lambda.dataSync() as Float32Array)].filter((_, i) => i % 2 === 1));
        return task.lossTerms(model, batch, ctx);
      },
    });
    const sink = new MemorySink();
    const ckptDir = join(dir, 'stratified');
    const r = await train(probe, { ...base, steps: 6, lambdaSampling: 'stratified', checkpoint: { dir: ckptDir, every: 100 } }, { sink });
    expect(lambdas).toHaveLength(6);
    // to_b ~ LogUniform[0.1, 10]: stratum k of 8 is [k, k + 1)/8 of the log range.
    for (const lb of lambdas) expect(lb.map((l) => Math.min(7, Math.floor(((Math.log(l) - Math.log(0.1)) / Math.log(100)) * 8))).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(sink.params).toMatchObject({ lambdaSampling: 'stratified' });
    expect(r.config.lambdaSampling).toBe('stratified');
    expect((await readCheckpoint(checkpointPath(ckptDir))).config).toMatchObject({ lambdaSampling: 'stratified' });
    r.model.params.dispose();
    // Independent draws (the default) do not cover every stratum in most batches of 8 (8!/8⁸ ≈ 0.24%).
    lambdas.length = 0;
    const plain = await train(probe, { ...base, steps: 6 });
    const covered = lambdas.filter((lb) => new Set(lb.map((l) => Math.min(7, Math.floor(((Math.log(l) - Math.log(0.1)) / Math.log(100)) * 8)))).size === 8).length;
    expect(covered).toBeLessThan(2);
    expect(plain.config.lambdaSampling).toBe('independent');
    plain.model.params.dispose();
    // A checkpoint of one sampling does not resume under the other.
    await expect(train(new TwoTargetTask(), { ...base, steps: 6, checkpoint: { dir: ckptDir, every: 100 }, resume: true })).rejects.toThrow(/lambdaSampling \(checkpoint "stratified", now undefined\)/);
  });

  it("records the run's trajectory in its params and checkpoint alike: each later option only when set, learningRateScales always in params", async () => {
    const run = async (name: string, extra: Partial<TrainConfig>): Promise<{ params: Record<string, unknown>; config: Record<string, unknown> }> => {
      const sink = new MemorySink();
      const ckptDir = join(dir, `recorded-${name}`);
      const r = await train(new TwoTargetTask(), { ...base, steps: 1, taskOptions: { hidden: 32 }, checkpoint: { dir: ckptDir, every: 100 }, ...extra }, { sink });
      r.model.params.dispose();
      return { params: sink.params, config: (await readCheckpoint(checkpointPath(ckptDir))).config };
    };
    const plain = await run('plain', {});
    // The keys and values the tracker has recorded since these options exist (its records stay comparable).
    const space = new TwoTargetTask().defaultSpace().toJSON();
    const shared = {
      task: 'two-target', taskOptions: { hidden: 32 }, mode: 'yoto', conditioned: true, lambda: null, space, steps: 1, batchSize: 8, seed: 5,
      optimizer: { lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }, schedule: { kind: 'cosine', warmupSteps: 3 }, clipGradNorm: 5,
    };
    expect(plain.params).toEqual({ ...shared, learningRateScales: null, backend: 'cpu', threads: 1, parameters: plain.params.parameters, resumedFrom: null });
    expect(plain.config).toEqual({ ...shared, terms: ['to_a', 'to_b'] });
    const later = { normalizeLossWeights: true, lambdaSampling: 'stratified', learningRateScales: { 'l1/': 2 } } as const;
    const all = await run('all', later);
    expect(all.params).toEqual({ ...plain.params, ...later });
    expect(all.config).toEqual({ ...plain.config, ...later });
  });

  it('normalizeLossWeights refuses a λ row with a zero term, naming it', async () => {
    await expect(train(new TwoTargetTask(), { ...base, mode: 'fixed', lambda: [1, 0], steps: 1, normalizeLossWeights: true })).rejects.toThrow(
      /normalizeLossWeights needs every λ > 0 and finite; example 0 has λ = \[1, 0\]/,
    );
  });

  it('logs every logEvery steps and the last, and a fixed λ weights the batch means', async () => {
    const sink = new MemorySink();
    const r = await train(new TwoTargetTask(), { ...base, mode: 'fixed', lambda: [2, 3], steps: 10, logEvery: 4 }, { sink });
    expect(sink.steps.map((s) => s.step)).toEqual([0, 4, 8, 9]);
    for (const { values } of sink.steps) expect(values.loss).toBeCloseTo(2 * values.to_a + 3 * values.to_b, 4);
    r.model.params.dispose();
  });

  it('does not grow the number of tensors per step', async () => {
    const counts: number[] = [];
    const before = tf.memory().numTensors;
    const r = await train(new TwoTargetTask(), { ...base, steps: 12 }, { onProgress: () => counts.push(tf.memory().numTensors) });
    expect(new Set(counts.slice(1)).size).toBe(1);
    const params = r.model.params.variables.length;
    r.model.params.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(params).toBeGreaterThan(0);
  });

  it('stops at the step where a term turns NaN, naming the step and the term, without applying it', async () => {
    const ckptDir = join(dir, 'nan');
    const before = tf.memory().numTensors;
    const progress: number[] = [];
    const { err, lastGood, atEnd } = await failingRun(new TwoTargetTask({ nanAtStep: 7 }), { ...base, checkpoint: { dir: ckptDir, every: 5 } }, (p) => progress.push(p.step));
    expect(err).toBeInstanceOf(NonFiniteLossError);
    // The weights the model held when the trainer let go of it are those after step 6.
    expect(atEnd).toEqual(lastGood);
    expect((err as NonFiniteLossError).step).toBe(7);
    expect((err as NonFiniteLossError).terms).toEqual(['to_b']);
    expect((err as Error).message).toMatch(/training stopped at step 7: non-finite loss term 'to_b' \(loss=NaN, grad_norm=NaN, to_a=[0-9.]+, to_b=NaN\)/);
    expect(progress.at(-1)).toBe(7);
    // The last good checkpoint (step 5) is intact, and nothing leaked.
    expect((await readCheckpoint(checkpointPath(ckptDir))).step).toBe(5);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops when the gradient is not finite although every term is, without applying the step', async () => {
    // At the 4th call the term gains sqrt(0·to_a): its value is 0, its derivative 0·∞ = NaN.
    let calls = 0;
    const task = new TwoTargetTask();
    const poisoned = Object.assign(Object.create(task) as TwoTargetTask, {
      lossTerms(model: TwoTargetModel, batch: Batch, ctx: LossContext): LossTerms {
        const t = task.lossTerms(model, batch, ctx);
        return calls++ === 3 ? { ...t, to_a: tf.add(t.to_a, tf.sqrt(tf.mul(t.to_a, 0))) as tf.Tensor1D } : t;
      },
    });
    const { err, lastGood, atEnd } = await failingRun(poisoned, base);
    expect(err).toBeInstanceOf(NonFiniteLossError);
    expect(err).toMatchObject({ step: 3, terms: [] });
    expect((err as Error).message).toMatch(/training stopped at step 3: the gradient is not finite \(the loss is\) \(loss=[0-9.]+, grad_norm=NaN, to_a=[0-9.]+, to_b=[0-9.]+\); the update of this step was not applied/);
    expect(atEnd).toEqual(lastGood);
  });

  it('stops a run whose loss diverges and stays finite, naming the step, the loss and the rule, without applying the step', async () => {
    // From step 150 on, target b is 1000 away: far above 100× the lowest loss so far and above the warm-up's highest.
    const before = tf.memory().numTensors;
    const progress: number[] = [];
    const { err, lastGood, atEnd } = await failingRun(new TwoTargetTask({ divergeAtStep: 150 }), { ...base, mode: 'fixed', lambda: [1, 1], steps: 400 }, (p) => progress.push(p.step));
    expect(err).toBeInstanceOf(DivergedLossError);
    // Steps 150…249 are the window of 100: the guard fires at the last of them.
    expect(err).toMatchObject({ step: 249, divergence: { rule: { warmup: 100, window: 100, factor: 100 } } });
    expect((err as DivergedLossError).loss).toBeGreaterThan(1e6);
    expect((err as DivergedLossError).loss).toBeLessThan(1e7);
    expect((err as Error).message).toMatch(
      /^training stopped at step 249: the loss diverged \(loss=[0-9.]+e\+6\): each of the last 100 steps' losses was above 100× the lowest since step 100 \([0-9.e+-]+\) and above the highest of the first 100 steps \([0-9.e+-]+\); the update of this step was not applied$/,
    );
    expect(progress.at(-1)).toBe(249);
    expect(atEnd).toEqual(lastGood);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a failed run resumed from a checkpoint before its divergence (exp run --retry-failed) is stopped at the same step, against the same levels', async () => {
    // The loss diverges from step 150 on; checkpoints every 140 steps leave step 140's when the guard fires
    // at 249. A guard that began afresh at 140 would count steps 140…239 as its warm-up, diverged losses
    // included, and never fire: the retried run would train on to the end diverged.
    const ckptDir = join(dir, 'diverged-retry');
    const cfg: TrainConfig = { ...base, mode: 'fixed', lambda: [1, 1], steps: 400, checkpoint: { dir: ckptDir, every: 140 } };
    const failed = (await train(new TwoTargetTask({ divergeAtStep: 150 }), cfg).catch((e: unknown) => e)) as DivergedLossError;
    expect(failed).toBeInstanceOf(DivergedLossError);
    expect(failed.step).toBe(249);
    expect((await readCheckpoint(checkpointPath(ckptDir))).step).toBe(140);
    const retried = await train(new TwoTargetTask({ divergeAtStep: 150 }), { ...cfg, resume: true }).catch((e: unknown) => e);
    if (!(retried instanceof Error)) (retried as { model: TwoTargetModel }).model.params.dispose();
    expect(retried).toBeInstanceOf(DivergedLossError);
    expect(retried).toMatchObject({ step: 249, loss: failed.loss, divergence: failed.divergence });
  });

  it('stops when the λ-weighted sum overflows although every term is finite, without applying the step', async () => {
    // λ_b = 3e38 is a finite float32; λ_b·to_b overflows as soon as to_b > 1.14 (it starts near 5).
    const { err, lastGood, atEnd } = await failingRun(new TwoTargetTask(), { ...base, mode: 'fixed', lambda: [1, 3e38] });
    expect(err).toMatchObject({ step: 0, terms: [] });
    expect((err as Error).message).toMatch(/training stopped at step 0: the λ-weighted loss is not finite \(every term is\) \(loss=Infinity, .*to_a=[0-9.]+, to_b=[0-9.]+\)/);
    // Step 0 failed: the weights are the initial ones.
    expect(lastGood).toBeNull();
    const fresh = new TwoTargetTask().buildModel({ space: new TwoTargetTask().defaultSpace(), conditioned: false, seed: base.seed });
    expect(atEnd).toEqual(snapshot(fresh));
    fresh.params.dispose();
  });

  it('rejects bad configurations with the field named', async () => {
    const t = new TwoTargetTask();
    await expect(train(t, { ...base, mode: 'fixed' })).rejects.toThrow(/mode 'fixed' needs lambda/);
    await expect(train(t, { ...base, mode: 'fixed', lambda: [1] })).rejects.toThrow(/lambda has 1 values; task 'two-target' has 2 terms/);
    await expect(train(t, { ...base, mode: 'fixed', lambda: [1, -1] })).rejects.toThrow(/lambda of term 'to_b' must be a finite number ≥ 0/);
    await expect(train(t, { ...base, lambda: [1, 1] })).rejects.toThrow(/lambda is only used in mode 'fixed'/);
    await expect(train(t, { ...base, steps: 0 })).rejects.toThrow(/steps must be an integer ≥ 1/);
    await expect(train(t, { ...base, optimizer: { lr: -1 } })).rejects.toThrow(/optimizer.lr must be a finite number > 0/);
    await expect(train(t, { ...base, optimizer: { lr: 1, beta2: 1 } })).rejects.toThrow(/optimizer.beta2 must be in \[0, 1\)/);
    await expect(train(t, { ...base, clipGradNorm: 0 })).rejects.toThrow(/clipGradNorm must be a finite number > 0/);
    await expect(train(t, { ...base, lambdaSampling: 'latin' as never })).rejects.toThrow(/lambdaSampling must be 'independent' or 'stratified', got "latin"/);
    await expect(train(t, { ...base, mode: 'fixed', lambda: [1, 1], lambdaSampling: 'stratified' })).rejects.toThrow(/lambdaSampling 'stratified' is only used in mode 'yoto'/);
    const simplex = new TwoTargetTask({ space: { terms: ['to_a', 'to_b'], distribution: { kind: 'dirichlet', terms: ['to_a', 'to_b'] } } });
    await expect(train(simplex, { ...base, lambdaSampling: 'stratified' })).rejects.toThrow(/lambdaSampling 'stratified': stratified λ sampling needs every varying term drawn from its own one-dimensional distribution .*"kind":"dirichlet"/);
    await expect(train(t, { ...base, resume: true })).rejects.toThrow(/resume: true needs checkpoint.dir/);
    await expect(train(t, { ...base, schedule: { kind: 'step', every: 0, gamma: 0.5 } })).rejects.toThrow(/schedule.every/);
    const wrong = new TwoTargetTask({ space: { terms: ['to_b', 'to_a'], distribution: { kind: 'logUniform', term: 'to_b', low: 1, high: 2 } } });
    await expect(train(wrong, base)).rejects.toThrow(/the space's terms \[to_b, to_a\] must be the task 'two-target' terms \[to_a, to_b\]/);
  });
});

describe('loadModel and evaluateGrid', () => {
  it('restores a trained model from its checkpoint and evaluates it over a grid and at a baseline point', async () => {
    const ckptDir = join(dir, 'load');
    const task = new TwoTargetTask();
    const r = await train(task, { ...base, steps: 6, checkpoint: { dir: ckptDir, every: 100 } });
    const file = checkpointPath(ckptDir);
    const loaded = await loadModel(new TwoTargetTask(), file);
    expect(loaded).toMatchObject({ conditioned: true, step: 6, mode: 'yoto', lambda: null });
    expect(await weights(loaded.model)).toEqual(await weights(r.model));
    expect(loaded.space.toJSON()).toEqual(r.space.toJSON());

    const sink = new MemorySink();
    const grid = [[1, 0.5], [1, 2]];
    const rows = await evaluateGrid(task, loaded.model, grid, { sink });
    expect(rows.map((x) => [x.lambda.to_b, x.metric])).toEqual([
      [0.5, 'to_a'], [0.5, 'to_b'], [0.5, 'loss'], [0.5, 'distance'], [2, 'to_a'], [2, 'to_b'], [2, 'loss'], [2, 'distance'],
    ]);
    const direct = await evaluateAt(task, r.model, [1, 2]);
    expect(rows.filter((x) => x.lambda.to_b === 2).map((x) => x.value)).toEqual(Object.values(direct));
    expect(sink.evaluations).toHaveLength(2);
    await expect(evaluateGrid(task, loaded.model, [[1]])).rejects.toThrow(/grid point 0 must have 2 values/);
    await expect(evaluateGrid(task, loaded.model, [])).rejects.toThrow(/non-empty/);

    const fixedDir = join(dir, 'load-fixed');
    const f = await train(task, { ...base, mode: 'fixed', lambda: [1, 4], steps: 3, checkpoint: { dir: fixedDir, every: 100 } });
    const lf = await loadModel(task, checkpointPath(fixedDir));
    expect(lf).toMatchObject({ conditioned: false, mode: 'fixed', lambda: [1, 4] });
    const own = await evaluateGrid(task, lf.model, [lf.lambda!]);
    expect(own.find((x) => x.metric === 'loss')!.value).toBeCloseTo((await evaluateAt(task, f.model, [1, 4])).loss, 6);
    await expect(loadModel(new TwoTargetTask({ extraParam: true }), file)).rejects.toThrow(/missing 1 variable\(s\): 'extra'/);
    for (const m of [r.model, loaded.model, f.model, lf.model]) m.params.dispose();
    // Only the final checkpoint file remains; temporary files are gone.
    expect(await readdir(ckptDir)).toEqual(['checkpoint.yotockpt']);
    expect((await stat(file)).size).toBeGreaterThan(0);
  });
});

describe('Task.prepare', () => {
  it('is awaited once before the first batch', async () => {
    const calls: string[] = [];
    class Prepared extends TwoTargetTask {
      async prepare(): Promise<void> {
        await new Promise((r) => setTimeout(r, 5));
        calls.push('prepare');
      }
      override trainBatch(o: TrainBatchOptions): Batch {
        calls.push('batch');
        return super.trainBatch(o);
      }
    }
    const r = await train(new Prepared(), { ...base, steps: 2 });
    r.model.params.dispose();
    expect(calls).toEqual(['prepare', 'batch', 'batch']);
  });
});

describe('learning-rate factors by parameter scope', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it("scales the first Adam step of the named scope's parameters, and only theirs; refuses unknown scopes and bad factors", async () => {
    const task = new TwoTargetTask({ hidden: 4 });
    const cfg: TrainConfig = { mode: 'yoto', steps: 1, batchSize: 4, seed: 3, optimizer: { lr: 0.01 } };
    const init = task.buildModel({ space: task.defaultSpace(), conditioned: true, seed: 3 });
    const start = new Map(init.params.entries().map(([n, v]) => [n, v.dataSync().slice()]));
    init.params.dispose();
    const moved = async (c: TrainConfig): Promise<Map<string, number[]>> => {
      const r = await train(task, c);
      const out = new Map(r.model.params.entries().map(([n, v]) => [n, [...v.dataSync()].map((x, i) => x - start.get(n)![i])]));
      r.model.params.dispose();
      return out;
    };
    const plain = await moved(cfg);
    const scaled = await moved({ ...cfg, learningRateScales: { 'conditioning/': 3, 'conditioning/l1/shift': 0.5 } });
    // Adam's first step is lr·g/(|g|+ε) per entry: a factor on lr scales it exactly (up to rounding).
    for (const [name, d] of plain) {
      const f = name.startsWith('conditioning/l1/shift') ? 0.5 : name.startsWith('conditioning/') ? 3 : 1;
      d.forEach((v, i) => expect(scaled.get(name)![i]).toBeCloseTo(f * v, 6));
    }
    expect([...plain.keys()].some((n) => n.startsWith('conditioning/l1/shift'))).toBe(true);
    await expect(train(task, { ...cfg, learningRateScales: { 'decoder/': 2 } })).rejects.toThrow(/learningRateScales names the scope 'decoder\/', but no parameter of task 'two-target' starts with it/);
    await expect(train(task, { ...cfg, learningRateScales: { 'l1/': 0 } })).rejects.toThrow(/learningRateScales\['l1\/'\] must be a finite number > 0, got 0/);
  });
});
