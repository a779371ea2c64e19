import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { runBackend } from '../backend/init.js';
import { CheckpointError } from '../checkpoint/errors.js';
import { checkpointPath, readCheckpoint, saveCheckpoint } from '../checkpoint/file.js';
import { assignVariables, compareShapes, readVariables } from '../checkpoint/named-arrays.js';
import type { CoefficientSpace } from '../coefficients/space.js';
import type { MetricSink } from '../metrics/sink.js';
import { Rng } from '../random/rng.js';
import type { Batch, LossTerms, Task, TaskModel } from '../task/task.js';
import { globalNormOnHost } from './host_norm.js';
import { Adam } from './adam.js';
import { clipByGlobalNorm, globalNorm } from './clip.js';
import { diffConfigs, learningRateScaleOf, resolveTrainConfig, trajectoryConfig, type ResolvedTrainConfig, type TrainConfig } from './config.js';
import { DivergenceGuard } from './divergence.js';
import { DivergedLossError, NonFiniteLossError } from './errors.js';
import { geometricMeanNormalized } from './loss-weights.js';
import { learningRateAt } from './schedule.js';

export interface TrainProgress {
  /** Completed steps (1-based: the step index just done + 1). */
  step: number;
  steps: number;
  /** λ-weighted loss of the step just done. */
  loss: number;
  /** Over the steps run by this call (a resumed run's earlier steps are not counted). */
  stepsPerSecond: number;
  etaSeconds: number;
}

export interface TrainHooks {
  /**
   * Receives params at the start, and loss, lr, grad_norm and each term's batch mean at 0-based step
   * indices that are multiples of `logEvery`, and at the last step. Flushed before every checkpoint.
   */
  sink?: MetricSink;
  /** Called after every step. */
  onProgress?(p: TrainProgress): void;
  /** When aborted, training stops before the next step, after writing a checkpoint (if configured). */
  signal?: AbortSignal;
}

export interface TrainResult<M extends TaskModel = TaskModel> {
  model: M;
  space: CoefficientSpace;
  config: ResolvedTrainConfig;
  /** Completed steps (equals config.steps unless aborted). */
  step: number;
  status: 'completed' | 'aborted';
  /** The step the run resumed from, or null when it started fresh. */
  resumedFrom: number | null;
  /** Loss of the last step run by this call (NaN when it ran none). */
  lastLoss: number;
  seconds: number;
  stepsPerSecond: number;
  /** Where the latest checkpoint is, when checkpointing is configured. */
  checkpointPath: string | null;
}

/** Seed of the λ sampler's stream, distinct from the data and initialisation streams of the same seed. */
function samplerSeed(seed: number): number {
  return (Math.imul(seed >>> 0, 0x9e3779b1) ^ 0x5bd1e995) >>> 0;
}

/**
 * The one training loop for YOTO and fixed-λ baselines. Per step: the task's batch for (seed, step),
 * one λ per example (yoto: drawn from the space, independently or stratified over the batch; fixed: the constant vector), the space's condition
 * for them (a conditioned model's input), the per-example loss terms, loss = mean_b Σ_i λ_i[b]·term_i[b]
 * (with `normalizeLossWeights`, λ[b] divided by its geometric mean), and an Adam update. Both modes share optimizer, schedule, batches and data order, so budgets compare.
 *
 * One small host read per step (loss, gradient norm and term means together) is what lets a NaN be
 * caught at the step it appears, before its update is applied; a loss that diverges and stays finite
 * stops the run too (DivergenceGuard), through the same path: the error fails the run.
 *
 * The batch is built inside the step's tf.tidy, so tensors the task creates in `trainBatch` are freed
 * after the step, while tensors it created beforehand (a dataset held in memory) are left alone.
 */
export async function train<M extends TaskModel>(task: Task<M>, config: TrainConfig, hooks: TrainHooks = {}): Promise<TrainResult<M>> {
  const cfg = resolveTrainConfig(task as Task, config);
  const { space, steps, batchSize, seed } = cfg;
  const trajectory = trajectoryConfig(task as Task, cfg);
  await task.prepare?.();
  const model = task.buildModel({ space, conditioned: cfg.conditioned, seed, ...(cfg.lambda ? { lambda: cfg.lambda } : {}) });
  if (model.conditioned !== cfg.conditioned)
    throw new Error(`task '${task.name}' built a ${model.conditioned ? '' : 'un'}conditioned model when asked for conditioned: ${cfg.conditioned}`);
  const entries = model.params.entries();
  const variables = entries.map(([, v]) => v);
  if (variables.length === 0) throw new Error(`task '${task.name}' built a model without parameters`);
  const scales = cfg.learningRateScales;
  for (const prefix of Object.keys(scales ?? {}))
    if (!entries.some(([n]) => n.startsWith(prefix)))
      throw new Error(`train config: learningRateScales names the scope '${prefix}', but no parameter of task '${task.name}' starts with it`);
  const adam = new Adam(entries, cfg.optimizer, scales ? { lrScale: (name) => learningRateScaleOf(scales, name) } : {});
  let rng = new Rng(samplerSeed(seed));
  const ckptFile = cfg.checkpoint ? checkpointPath(cfg.checkpoint.dir) : null;
  const nTerms = task.terms.length;
  const constants: tf.Tensor[] = [];

  try {
    let start = 0;
    let resumedFrom: number | null = null;
    let guard = new DivergenceGuard();
    const resumeFile = typeof cfg.resume === 'string' ? cfg.resume : cfg.resume && ckptFile && existsSync(ckptFile) ? ckptFile : null;
    if (resumeFile) {
      const ckpt = await readCheckpoint(resumeFile);
      if (ckpt.task !== task.name) throw new CheckpointError(resumeFile, 'CHECKPOINT_INCOMPATIBLE', `was written by task '${ckpt.task}', not '${task.name}'`);
      const diff = diffConfigs(ckpt.config, trajectory);
      if (diff.length) throw new CheckpointError(resumeFile, 'CHECKPOINT_INCOMPATIBLE', `was written with a different configuration: ${diff.join('; ')}`);
      const problems = compareShapes(entries.map(([n, v]) => [n, v.shape]), ckpt.params);
      if (problems.length) throw new CheckpointError(resumeFile, 'CHECKPOINT_INCOMPATIBLE', `does not match the model of task '${task.name}': ${problems.join('; ')}`);
      if (!ckpt.adam || !ckpt.rngState) throw new CheckpointError(resumeFile, 'CHECKPOINT_INCOMPATIBLE', `holds no optimizer or sampler state, so training cannot resume from it`);
      if (!Number.isInteger(ckpt.step) || ckpt.step < 0 || ckpt.step > steps) throw new CheckpointError(resumeFile, 'CHECKPOINT_INCOMPATIBLE', `step ${ckpt.step} is outside this run of ${steps} steps`);
      assignVariables(entries, ckpt.params);
      adam.setState(ckpt.adam, `checkpoint ${resumeFile}`);
      rng = new Rng(ckpt.rngState);
      // The guard goes on judging as the uninterrupted run would (a retried diverged run stops again
      // at the same step); a checkpoint from before guards were saved gives a fresh one.
      guard = DivergenceGuard.restore(ckpt.divergenceGuard);
      start = resumedFrom = ckpt.step;
    }

    // The run's params are its trajectory (less the task's terms, which its tracker records never
    // held) and facts about this call; learningRateScales has always been recorded, null when unset.
    const { terms: _terms, ...trajectoryParams } = trajectory;
    hooks.sink?.logParams?.({
      ...trajectoryParams,
      learningRateScales: cfg.learningRateScales,
      // The backend by initBackend's name (wasm+dnnl, not tfjs's wasm) and its kernels' threads.
      ...runBackend(),
      parameters: model.params.size,
      resumedFrom,
    });

    // Fixed mode: the λ rows and their encoding never change, so they are uploaded once.
    // The loss weighs each example's terms by its λ row, or by that row over its geometric mean
    // (null here: the λ rows themselves are the weights).
    const normalizedWeights = (rows: Float32Array): Float32Array | null => (cfg.normalizeLossWeights ? geometricMeanNormalized(rows, nTerms) : null);
    let fixedLambda: tf.Tensor2D | null = null;
    let fixedWeights: tf.Tensor2D | null = null;
    let fixedCondition: tf.Tensor2D | null = null;
    if (cfg.lambda) {
      const rows = new Float32Array(batchSize * nTerms);
      for (let b = 0; b < batchSize; b++) rows.set(cfg.lambda, b * nTerms);
      fixedLambda = tf.tensor2d(rows, [batchSize, nTerms]);
      constants.push(fixedLambda);
      const weightRows = normalizedWeights(rows);
      fixedWeights = weightRows ? tf.tensor2d(weightRows, [batchSize, nTerms]) : fixedLambda;
      if (weightRows) constants.push(fixedWeights);
      if (cfg.conditioned) {
        fixedCondition = space.condition(cfg.lambda, batchSize);
        constants.push(fixedCondition);
      }
    }

    let lastSaved = resumedFrom ?? -1;
    const save = async (done: number): Promise<void> => {
      if (!ckptFile || done === lastSaved) return;
      // Metrics up to this step reach the sink's store before the checkpoint that follows them.
      await hooks.sink?.flush?.();
      await saveCheckpoint(ckptFile, {
        task: task.name,
        step: done,
        rngState: rng.state(),
        config: trajectory,
        space: space.toJSON(),
        conditioned: cfg.conditioned,
        params: await readVariables(entries),
        adam: await adam.getState(),
        divergenceGuard: guard.state(),
        backend: tf.getBackend(),
        createdAt: new Date().toISOString(),
      });
      lastSaved = done;
    };

    const t0 = performance.now();
    let lastLoss = Number.NaN;
    let status: TrainResult['status'] = 'completed';
    let done = start;
    for (let step = start; step < steps; step++) {
      if (hooks.signal?.aborted) {
        status = 'aborted';
        break;
      }
      const lr = learningRateAt(step, cfg.optimizer.lr, cfg.schedule, steps);
      const lambdaRows = fixedLambda ? null : space.sample(batchSize, rng, { stratified: cfg.lambdaSampling === 'stratified' });
      const weightRows = lambdaRows && normalizedWeights(lambdaRows);
      let termMeans: tf.Tensor | null = null;
      let hostNorm: number | null = null;
      const out = keepOnFailure(() => (termMeans as tf.Tensor | null)?.dispose(), () => tf.tidy(() => {
        const batch = task.trainBatch({ step, batchSize, seed });
        if (batch.size !== batchSize) throw new Error(`task '${task.name}': trainBatch returned ${batch.size} examples for batchSize ${batchSize} at step ${step}`);
        const lam = fixedLambda ?? tf.tensor2d(lambdaRows!, [batchSize, nTerms]);
        const weights = fixedWeights ?? (weightRows ? tf.tensor2d(weightRows, [batchSize, nTerms]) : lam);
        const condition = cfg.conditioned ? (fixedCondition ?? space.condition(lambdaRows!, batchSize)) : null;
        const { value, grads } = tf.variableGrads(() => {
          const terms = task.lossTerms(model, batch, { training: true, lambda: lam, condition });
          const stacked = tf.stack(task.terms.map((t) => checkedTerm(task as Task, terms, t, batch, step)), 1);
          termMeans = tf.keep(tf.mean(stacked, 0));
          const perExample = tf.sum(tf.mul(stacked, weights), 1);
          return tf.mean(perExample) as tf.Scalar;
        }, variables);
        const list = variables.map((v) => grads[v.name] ?? tf.zerosLike(v));
        // On wasm and cpu the norm is read from the gradients' memory (no kernels, no extra sync).
        hostNorm = globalNormOnHost(list);
        if (hostNorm !== null) {
          const applied = cfg.clipGradNorm !== null ? clipByHostNorm(list, cfg.clipGradNorm, hostNorm) : list;
          return { grads: applied, stats: tf.concat([tf.reshape(value, [1]), termMeans!]) };
        }
        const norm = globalNorm(list);
        const applied = cfg.clipGradNorm !== null ? clipByGlobalNorm(list, cfg.clipGradNorm, norm) : list;
        return { grads: applied, stats: tf.concat([tf.reshape(value, [1]), tf.reshape(norm, [1]), termMeans!]) };
      }));
      (termMeans as tf.Tensor | null)?.dispose();
      let stats: Float32Array;
      try {
        const read = (await out.stats.data()) as Float32Array;
        // One layout either way: loss, gradient norm, term means.
        stats = hostNorm === null ? read : Float32Array.of(read[0], hostNorm, ...read.subarray(1));
      } finally {
        out.stats.dispose();
      }
      const [loss, gradNorm] = [stats[0], stats[1]];
      if (!stats.every(Number.isFinite)) {
        tf.dispose(out.grads);
        const values: Record<string, number> = { loss, grad_norm: gradNorm };
        task.terms.forEach((t, i) => (values[t] = stats[2 + i]));
        throw new NonFiniteLossError(step, task.terms.filter((_, i) => !Number.isFinite(stats[2 + i])), values);
      }
      const diverged = guard.observe(loss);
      if (diverged) {
        tf.dispose(out.grads);
        throw new DivergedLossError(step, loss, diverged);
      }
      adam.apply(out.grads, lr);
      tf.dispose(out.grads);
      lastLoss = loss;
      done = step + 1;

      if (hooks.sink && (step % cfg.logEvery === 0 || done === steps)) {
        const values: Record<string, number> = { loss, lr, grad_norm: gradNorm };
        task.terms.forEach((t, i) => (values[t] = stats[2 + i]));
        hooks.sink.logMetrics(step, values);
      }
      if (hooks.onProgress) {
        const sps = (done - start) / Math.max(1e-9, (performance.now() - t0) / 1000);
        hooks.onProgress({ step: done, steps, loss, stepsPerSecond: sps, etaSeconds: (steps - done) / sps });
      }
      if (cfg.checkpoint && done % cfg.checkpoint.every === 0) await save(done);
      // Let timers, I/O and abort signals run between steps.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await save(done);
    const seconds = (performance.now() - t0) / 1000;
    return {
      model,
      space,
      config: cfg,
      step: done,
      status,
      resumedFrom,
      lastLoss,
      seconds,
      stepsPerSecond: seconds > 0 ? (done - start) / seconds : 0,
      checkpointPath: ckptFile,
    };
  } catch (err) {
    model.params.dispose();
    throw err;
  } finally {
    adam.dispose();
    tf.dispose(constants);
  }
}

/**
 * clipByGlobalNorm with the norm known on the host: the factor maxNorm / max(norm, maxNorm) in
 * float32 as the op version computes it, and no multiplication at all when it is 1 (x·1 = x).
 */
function clipByHostNorm(grads: tf.Tensor[], maxNorm: number, norm: number): tf.Tensor[] {
  const limit = Math.fround(maxNorm);
  const factor = Math.fround(limit / Math.max(norm, limit));
  if (factor === 1) return grads;
  const f = tf.scalar(factor);
  return grads.map((g) => tf.mul(g, f));
}

/** The per-example values of one term, checked for presence and shape (no device sync). */
function checkedTerm(task: Task, terms: LossTerms, name: string, batch: Batch, step: number): tf.Tensor1D {
  const t = terms[name];
  if (!t) throw new Error(`task '${task.name}': lossTerms returned no term '${name}' (it returned ${Object.keys(terms).map((k) => `'${k}'`).join(', ') || 'nothing'})`);
  if (t.rank !== 1 || t.shape[0] !== batch.size)
    throw new Error(`task '${task.name}': loss term '${name}' must be per-example, shape [${batch.size}], got [${t.shape.join(', ')}] at step ${step}`);
  return t;
}

/** Runs `f`; if it throws, runs `cleanup` (for tensors kept outside tf.tidy) and rethrows. */
function keepOnFailure<T>(cleanup: () => void, f: () => T): T {
  try {
    return f();
  } catch (err) {
    cleanup();
    throw err;
  }
}
