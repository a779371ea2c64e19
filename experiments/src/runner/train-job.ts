import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { checkpointPath, createTask, defineSpace, initBackend, readCheckpoint, train, type MetricSink, type SpaceSpec } from '@yoto/core';
import { openTracker, type RunHandle } from '@yoto/tracker';
import type { TrainPayload, TrainJobResult } from './jobs.js';
import type { JobContext } from './worker-host.js';

/**
 * Trains one run: creates it in the tracker (or reopens it), resumes from its checkpoint when there
 * is one, logs step metrics to the shared DB and checkpoints to `checkpoints/<run id>/`. On a stop
 * request the trainer writes a checkpoint and returns; the run is then marked `killed`.
 */
export async function trainJob(p: TrainPayload, ctx: JobContext): Promise<TrainJobResult> {
  await import(p.task.package);
  const backend = await initBackend(p.backend);
  const task = createTask(p.task.name, p.task.options);
  const space = defineSpace(p.space as unknown as SpaceSpec);
  const tracker = openTracker(p.db);
  let handle: RunHandle | undefined;
  try {
    let resumeStep = 0;
    // A queued job taken over from a worker that died after creating the run: continue that run.
    const runId0 = p.runId ?? (p.takeOver ? tracker.listRuns({ experiment: p.experiment, name: p.name })[0]?.id : undefined);
    if (runId0 === undefined) {
      handle = tracker.startRun({
        experiment: p.experiment,
        name: p.name,
        kind: p.spec.kind,
        lambda: p.spec.lambda,
        config: p.config,
        seed: p.spec.training.seed,
        backend: backend.name,
        tags: p.tags,
      });
    } else {
      const file = checkpointPath(join(p.checkpointsRoot, String(runId0)));
      if (existsSync(file)) resumeStep = (await readCheckpoint(file)).step;
      // Steps logged after the checkpoint (by a run that crashed) will be logged again from it.
      handle = tracker.resumeRun(runId0, { fromStep: resumeStep > 0 ? resumeStep - 1 : undefined, takeOver: p.takeOver });
    }
    const runId = handle.id;
    const dir = join(p.checkpointsRoot, String(runId));
    if (resumeStep > 0) ctx.status(`resuming at step ${resumeStep}`);
    const t = p.spec.training;
    const result = await train(
      task,
      {
        mode: p.spec.kind === 'yoto' ? 'yoto' : 'fixed',
        space,
        lambda: p.spec.lambda,
        steps: t.steps,
        batchSize: t.batchSize,
        seed: t.seed,
        optimizer: { lr: t.learningRate },
        schedule: t.schedule,
        learningRateScales: t.learningRateScales,
        ...(t.clipGradNorm ? { clipGradNorm: t.clipGradNorm } : {}),
        ...(t.normalizeLossWeights ? { normalizeLossWeights: true } : {}),
        ...(t.lambdaSampling ? { lambdaSampling: t.lambdaSampling } : {}),
        logEvery: t.logEvery,
        checkpoint: { dir, every: t.checkpointEvery },
        resume: true,
        taskOptions: p.task.options,
      },
      { sink: guarded(handle), onProgress: (pr) => ctx.progress(pr), signal: ctx.signal },
    );
    result.model.params.dispose();
    const stopped = result.status === 'aborted';
    if (stopped) handle.terminate('killed', `stopped at step ${result.step} on request; re-run to resume from the checkpoint`);
    else if (handle.status === 'running') {
      handle.finish();
      if (result.checkpointPath) tracker.logArtifact({ runId, path: result.checkpointPath, kind: 'checkpoint', meta: { step: result.step } });
    }
    return {
      runId,
      checkpoint: result.checkpointPath ?? '',
      steps: result.step,
      resumedFrom: result.resumedFrom ?? 0,
      stopped: stopped || handle.status === 'killed',
      wallSeconds: result.seconds,
      backend: backend.name,
      finalLoss: Number.isFinite(result.lastLoss) ? result.lastLoss : null,
    };
  } catch (err) {
    if (handle?.status === 'running') handle.fail(err);
    throw err;
  } finally {
    tracker.close();
  }
}

/**
 * The run handle as the trainer's sink, except that step metrics arriving after the run was ended
 * (a SIGTERM reached the tracker's own hook before the trainer saw the abort) are dropped instead
 * of failing the final checkpoint.
 */
function guarded(handle: RunHandle): MetricSink {
  return {
    logParams: (params) => handle.logParams(params),
    logMetrics: (step, values) => {
      if (handle.status === 'running') handle.logMetrics(step, values);
    },
    logEvaluation: (lambda, values) => handle.logEvaluation(lambda, values),
    flush: () => handle.flush(),
  };
}
