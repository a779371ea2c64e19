import { evaluateGrid, initBackend, loadTrained } from '@yoto/core';
import { openTracker } from '@yoto/tracker';
import type { EvaluatePayload, EvaluateResult, EvaluationPoint } from './jobs.js';
import type { JobContext } from './worker-host.js';

class Stopped extends Error {}

/** Evaluates one checkpoint at the given λs on the task's test data and stores the points. */
export async function evaluateJob(p: EvaluatePayload, ctx: JobContext): Promise<EvaluateResult> {
  await import(p.task.package);
  await initBackend(p.backend);
  // Task and model as the checkpoint records them: its task options are the run's (the payload carries none).
  const loaded = await loadTrained(p.checkpoint, { task: p.task.name });
  const task = loaded.task;
  const tracker = openTracker(p.db);
  const points: EvaluationPoint[] = [];
  const t0 = performance.now();
  try {
    await evaluateGrid(
      task,
      loaded.model,
      p.lambdas.map((l) => task.terms.map((t) => l[t])),
      {
        limit: p.evaluation.limit > 0 ? p.evaluation.limit : undefined,
        batchSize: p.evaluation.batchSize,
        onPoint: (i, lambda, metrics) => {
          tracker.logEvaluation(p.runId, lambda, metrics);
          points.push({ lambda, values: metrics });
          const rate = (i + 1) / ((performance.now() - t0) / 1000);
          ctx.progress({
            step: i + 1,
            steps: p.lambdas.length,
            loss: metrics[p.progressMetric] ?? Number.NaN,
            stepsPerSecond: rate,
            etaSeconds: (p.lambdas.length - i - 1) / rate,
          });
          if (ctx.signal.aborted) throw new Stopped();
        },
      },
    );
    return { runId: p.runId, points, stopped: false };
  } catch (err) {
    if (err instanceof Stopped) return { runId: p.runId, points, stopped: true };
    throw err;
  } finally {
    loaded.model.params.dispose();
    tracker.close();
  }
}
