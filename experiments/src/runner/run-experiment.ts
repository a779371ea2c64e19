import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { checkpointPath } from '@yoto/core/checkpoint-path';
import { threadBudget, threadsPerWorker } from '@yoto/core/threads';
import { openTracker, sameLambda, type RunRecord, type Tracker } from '@yoto/tracker';
import { resolveExperiment, type Resolved } from '../experiments/registry.js';
import type { PictureModel } from '../experiments/types.js';
import { debugging } from '../cli/user-errors.js';
import { UsageError } from '../errors.js';
import { computeBudget } from './budget.js';
import { acquireHomeLock } from './home-lock.js';
import { checkCheckpoints } from './checkpoint-check.js';
import { SET_TAG } from './set-tags.js';
import { checkpointDir, recordName, reportDir, type Home } from './home.js';
import { identify } from './identity.js';
import type { EvaluatePayload, EvaluateResult, PicturesPayload, PicturesResult, TrainPayload, TrainJobResult } from './jobs.js';
import { runPool, type JobOutcome, type PoolJob, type PoolOptions } from './pool.js';
import { queueExecutor } from './queue.js';
import { watchInterrupts } from './interrupts.js';
import { ProgressBoard, type ProgressOutput } from './progress.js';
import { decide, scheduleOrder, type Decision } from './resume.js';
import { compare, target, type RunSummary, type Summary } from './summary.js';
import { renderExperimentReport } from './report.js';


export interface RunExperimentOptions {
  experiment: string;
  profile?: string;
  sets?: string[];
  workers?: number;
  backend?: string;
  home: Home;
  progress: ProgressOutput;
  log(line: string): void;
  /** Stops the run as Ctrl-C would (tests); SIGINT/SIGTERM are handled when `handleSignals`. */
  signal?: AbortSignal;
  handleSignals?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Train runs that failed earlier again, instead of reporting them as failed. */
  retryFailed?: boolean;
  /**
   * `redis://host:port`: send the jobs to the `exp worker`s of this queue instead of training here
   * (YOTO_HOME and the tracker must be the workers' too: a shared folder, a PostgreSQL tracker).
   */
  queue?: string;
}

export type RunExperimentOutcome =
  | { status: 'done'; summary: Summary }
  | { status: 'interrupted'; stopped: string[] }
  | { status: 'failed'; errors: string[] };

const WORKER = join(import.meta.dirname, 'worker.ts');

/**
 * `exp run`: trains every run of the plan that is not finished (new ones from step 0, interrupted
 * ones from their checkpoints) in parallel worker processes, evaluates all models on the same test
 * data, stores everything in the tracker and renders the report.
 */
export async function runExperiment(o: RunExperimentOptions): Promise<RunExperimentOutcome> {
  const started = Date.now();
  const resolved = resolveExperiment(o.experiment, o.profile ?? 'default', o.sets ?? []);
  const workers = o.workers ?? availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`--workers must be a positive integer, got ${workers}`);
  await resolved.definition.preflight?.(resolved.config, o.env ?? process.env);
  for (const dir of [o.home.root, o.home.checkpoints, o.home.reports, o.home.logs]) mkdirSync(dir, { recursive: true });

  // Through the queue, two submissions of one experiment are one set of jobs (the queue's job ids):
  // the second attaches instead of racing the first, so the home lock is the local runner's only.
  const unlock = o.queue
    ? () => {}
    : acquireHomeLock(o.home, `${resolved.definition.name}${resolved.profile === 'default' ? '' : ` --profile ${resolved.profile}`}`);
  const stop = new AbortController();
  const detach = watchStops(stop, o);
  let tracker: Tracker | undefined;
  try {
    tracker = openTracker(o.home.db);
    const record = recordName(resolved.definition.name, resolved.profile);
    tracker.ensureExperiment({
      name: record,
      task: resolved.plan.task.name,
      description: resolved.definition.description,
      config: { experiment: resolved.definition.name, profile: resolved.profile, sets: o.sets ?? [], config: resolved.config },
    });
    const identities = resolved.plan.runs.map((s) => identify(resolved.definition.name, resolved.profile, resolved.plan, s));
    const recorded = tracker.listRuns({ experiment: record });
    const current = new Set(identities.map((i) => i.name));
    const others = recorded.filter((r) => !current.has(r.name));
    if (others.length > 0)
      o.log(
        `note: '${record}' also holds ${others.length} run(s) of another config (${others.map((r) => r.name).join(', ')}); ` +
          'the report leaves them out.',
      );
    const decisions = decide(
      identities,
      recorded.map((r) => ({
        id: r.id,
        name: r.name,
        status: r.status,
        hasCheckpoint: existsSync(checkpointPath(checkpointDir(o.home, r.id))),
        // Opening the tracker marked runs of dead processes `crashed`; any still `running` has a live owner.
        ownerAlive: r.status === 'running',
        error: r.error,
      })),
      { retryFailed: o.retryFailed },
    );
    const busy = decisions.filter((d) => d.action === 'busy');
    // Through the queue, a run a worker is training is a queued job: the submission attaches to it.
    if (busy.length > 0 && !o.queue)
      // Another host's run on a shared YOTO_HOME (the home lock covers this host's).
      throw new UsageError(
        `another process is training ${busy.map((d) => d.identity.name).join(', ')} of '${record}' right now; ` +
          'wait for it or stop it first',
      );

    await checkCheckpoints(decisions, (id) => checkpointPath(checkpointDir(o.home, id)));

    const training = await trainPhase(o, resolved, record, decisions, workers, stop.signal);
    if (training.status !== 'ok') return training;
    const failedEarlier = decisions.filter((d) => d.action === 'failed');
    if (failedEarlier.length > 0)
      return {
        status: 'failed',
        errors: failedEarlier.map(
          (d) =>
            `${d.identity.spec.key}: run ${d.run.name} failed earlier: ${d.run.error ?? '(no error recorded)'}; not trained again ` +
            '(it would fail the same way): change its config, or pass --retry-failed to resume it from its last checkpoint',
        ),
      };

    const runs = summarizeRuns(tracker, decisions, training.results);
    const evaluation = await evaluatePhase(o, resolved, record, runs, workers, stop.signal);
    if (evaluation.status !== 'ok') return evaluation;

    const rows = tracker
      .evaluationPoints(record)
      .filter((r) => runs.some((x) => x.runId === r.runId))
      .map((r) => ({ runId: r.runId, lambda: r.lambda, metric: r.metric, value: r.value }));
    const reportPath = await renderExperimentReport({
      tracker,
      record,
      outDir: reportDir(o.home, record),
      plan: resolved.plan,
      runIds: runs.map((r) => r.runId),
      images: evaluation.images,
      definition: resolved.definition,
    });
    const comparison = compare(resolved.plan, runs, rows);
    const budget = computeBudget(resolved.plan.runs);
    const yotoSeconds = runs.filter((r) => r.kind === 'yoto').reduce((s, r) => s + r.wallSeconds, 0);
    const baselineSeconds = runs.filter((r) => r.kind === 'baseline').reduce((s, r) => s + r.wallSeconds, 0);
    const backends = [...new Set(runs.map((r) => r.backend ?? 'unknown'))];
    const summary: Summary = {
      experiment: resolved.definition.name,
      profile: resolved.profile,
      record,
      backend: backends.join(','),
      runs,
      compute: { ...budget, yotoSeconds, baselineSeconds, timeShare: baselineSeconds > 0 ? yotoSeconds / baselineSeconds : Number.NaN },
      comparison,
      target: target(resolved.plan, comparison),
      report: reportPath,
      wallSeconds: (Date.now() - started) / 1000,
    };
    return { status: 'done', summary };
  } finally {
    detach();
    tracker?.close();
    unlock();
  }
}

/** A phase that completed; anything else ends the run with that outcome. */
type PhaseResult<T> = { status: 'ok' } & T;

async function trainPhase(
  o: RunExperimentOptions,
  resolved: Resolved,
  record: string,
  decisions: Decision[],
  workers: number,
  signal: AbortSignal,
): Promise<PhaseResult<{ results: Map<string, TrainJobResult> }> | Exclude<RunExperimentOutcome, { status: 'done' }>> {
  const plan = resolved.plan;
  const reused = decisions.filter((d) => d.action === 'reuse').length;
  const failedEarlier = decisions.filter((d) => d.action === 'failed').length;
  const todo = scheduleOrder(decisions.filter((d) => d.action === 'new' || d.action === 'resume' || d.action === 'busy'));
  const board = new ProgressBoard(
    o.progress,
    `training ${record}: ${todo.length} run(s) ${o.queue ? 'through the queue' : `on ${Math.min(workers, Math.max(1, todo.length))} worker(s)`}` +
      (reused > 0 ? `, ${reused} reused` : '') +
      (failedEarlier > 0 ? `, ${failedEarlier} failed earlier (--retry-failed trains them again)` : ''),
  );
  for (const d of decisions) {
    if (d.action === 'reuse') board.add(d.identity.spec.key, d.identity.spec.label, 'reused');
    if (d.action === 'failed') board.add(d.identity.spec.key, d.identity.spec.label, 'failed', d.run.error ?? undefined);
  }
  const jobs: PoolJob[] = todo.map((d) => {
    board.add(d.identity.spec.key, d.identity.spec.label, 'queued', d.action === 'resume' ? 'resumes from its checkpoint' : d.action === 'busy' ? 'training on a worker' : undefined);
    const payload: TrainPayload = {
      db: o.home.db,
      checkpointsRoot: o.home.checkpoints,
      experiment: record,
      runId: d.action === 'resume' || d.action === 'busy' ? d.run.id : undefined,
      name: d.identity.name,
      config: d.identity.config,
      spec: d.identity.spec,
      task: d.identity.spec.task ?? plan.task,
      space: d.identity.spec.space ?? plan.space,
      backend: o.backend,
      // The --set values, so that `exp report` can say which ones reproduce this config.
      tags: [`profile:${resolved.profile}`, `hash:${d.identity.hash}`, ...(o.sets ?? []).map((x) => `${SET_TAG}${x}`)],
    };
    const logFile = join(o.home.logs, `${record}-${d.identity.spec.key}.log`);
    return { id: d.identity.spec.key, key: d.identity.name, kind: 'train', payload, logFile };
  });
  const outcomes = await execute(o, record)(jobs, {
    ...poolOptions(board, workers, jobs, signal, o.env),
    onFinish: (out) => {
      if (out.status === 'done') {
        const r = out.result as TrainJobResult;
        board.set(out.id, r.stopped ? 'stopped' : 'done', r.stopped ? `checkpointed at step ${r.steps}` : undefined);
      } else if (out.status === 'failed') board.set(out.id, 'failed', out.error);
    },
  });
  board.close();
  const results = new Map<string, TrainJobResult>();
  for (const out of outcomes) if (out.status === 'done') results.set(out.id, out.result as TrainJobResult);
  const failed = outcomes.filter((x): x is Extract<JobOutcome, { status: 'failed' }> => x.status === 'failed');
  if (failed.length > 0) {
    return { status: 'failed', errors: failed.map((f) => describeFailure(f, jobs, o.env)) };
  }
  const stopped = [...results.entries()].filter(([, r]) => r.stopped).map(([k]) => k);
  const notStarted = outcomes.filter((x) => x.status === 'not-started').map((x) => x.id);
  if (signal.aborted || stopped.length > 0 || notStarted.length > 0) return { status: 'interrupted', stopped: [...stopped, ...notStarted] };
  return { status: 'ok', results };
}

function summarizeRuns(tracker: Tracker, decisions: Decision[], results: Map<string, TrainJobResult>): RunSummary[] {
  return decisions.map((d): RunSummary => {
    const key = d.identity.spec.key;
    const trained = results.get(key);
    const runId = trained?.runId ?? (d.action === 'reuse' ? d.run.id : undefined);
    if (runId === undefined) throw new Error(`run ${key} has neither a training result nor an earlier run`);
    const rec: RunRecord = tracker.getRun(runId);
    if (rec.status !== 'finished') throw new Error(`run ${rec.name} (#${runId}) is ${rec.status}, expected finished`);
    return {
      key,
      kind: d.identity.spec.kind,
      control: d.identity.spec.control ?? false,
      runId,
      name: rec.name,
      label: d.identity.spec.label,
      lambda: d.identity.spec.lambda ?? null,
      action: d.action === 'reuse' ? 'reused' : trained && trained.resumedFrom > 0 ? 'resumed' : 'trained',
      resumedFrom: trained?.resumedFrom ?? 0,
      steps: trained?.steps ?? d.identity.spec.training.steps,
      wallSeconds: rec.elapsedMs / 1000,
      backend: trained?.backend ?? rec.backend,
    };
  });
}

async function evaluatePhase(
  o: RunExperimentOptions,
  resolved: Resolved,
  record: string,
  runs: RunSummary[],
  workers: number,
  signal: AbortSignal,
): Promise<PhaseResult<{ images: PicturesResult['images'] }> | Exclude<RunExperimentOutcome, { status: 'done' }>> {
  const plan = resolved.plan;
  const yoto = runs.find((r) => r.kind === 'yoto')!;
  const baselines = runs.filter((r) => r.kind === 'baseline');
  // The YOTO model at every grid point and at every baseline's λ (if that is not a grid point).
  const yotoLambdas = [...plan.grid];
  for (const b of baselines) if (!yotoLambdas.some((l) => sameLambda(l, b.lambda!))) yotoLambdas.push(b.lambda!);
  yotoLambdas.sort((a, b) => a[plan.report.lambdaTerm] - b[plan.report.lambdaTerm]);

  const ckpt = (r: RunSummary): string => checkpointPath(checkpointDir(o.home, r.runId));
  const evalJob = (r: RunSummary, lambdas: Record<string, number>[], id: string): PoolJob => {
    const payload: EvaluatePayload = {
      db: o.home.db,
      runId: r.runId,
      checkpoint: ckpt(r),
      task: { name: plan.task.name, package: plan.task.package },
      lambdas,
      evaluation: plan.evaluation,
      progressMetric: plan.report.gapMetric,
      backend: o.backend,
    };
    // The queue's identity of this job: the model and the λs it evaluates.
    const key = `${id}|run${r.runId}|${createHash('sha256').update(JSON.stringify(lambdas)).digest('hex').slice(0, 12)}`;
    return { id, key, kind: 'evaluate', payload, logFile: join(o.home.logs, `${record}-eval-${id}.log`) };
  };
  // The YOTO grid is the largest piece: split it over the workers, round-robin so each chunk spans β.
  const chunks = Math.max(1, Math.min(workers, yotoLambdas.length));
  const jobs: PoolJob[] = [];
  for (let c = 0; c < chunks; c++) jobs.push(evalJob(yoto, yotoLambdas.filter((_l, i) => i % chunks === c), `yoto-${c + 1}`));
  if (resolved.definition.pictures) {
    const models: PictureModel[] = runs.map((r) => ({ runKey: r.key, kind: r.kind, checkpoint: ckpt(r), lambda: r.lambda ?? undefined }));
    const payload: PicturesPayload = {
      experiment: resolved.definition.name,
      profile: resolved.profile,
      sets: o.sets ?? [],
      models,
      outDir: reportDir(o.home, record),
      backend: o.backend,
    };
    const key = `pictures|${runs.map((r) => r.runId).join(',')}`;
    jobs.push({ id: 'pictures', key, kind: 'pictures', payload, logFile: join(o.home.logs, `${record}-pictures.log`) });
  }
  for (const b of baselines) jobs.push(evalJob(b, [b.lambda!], b.key));

  const board = new ProgressBoard(o.progress, `evaluating ${record} on the test data: ${jobs.length} job(s)`, { unit: 'points' });
  for (const j of jobs) board.add(j.id, j.id, 'queued');
  const outcomes = await execute(o, record)(jobs, {
    ...poolOptions(board, workers, jobs, signal, o.env),
    onFinish: (out) => board.set(out.id, out.status === 'done' ? 'done' : 'failed', out.status === 'failed' ? out.error : undefined),
  });
  board.close();
  const failed = outcomes.filter((x): x is Extract<JobOutcome, { status: 'failed' }> => x.status === 'failed');
  if (failed.length > 0) return { status: 'failed', errors: failed.map((f) => describeFailure(f, jobs, o.env)) };
  if (signal.aborted || outcomes.some((x) => x.status !== 'done' || (x.result as EvaluateResult).stopped === true))
    return { status: 'interrupted', stopped: outcomes.filter((x) => x.status !== 'done').map((x) => x.id) };
  const pictures = outcomes.find((x) => x.id === 'pictures');
  const images = pictures?.status === 'done' ? (pictures.result as PicturesResult).images : [];
  return { status: 'ok', images };
}

/**
 * First SIGINT/SIGTERM: stop the workers in order (they checkpoint and mark their runs killed).
 * A deliberate second one: leave at once; the workers notice the closed channel and stop by
 * themselves. Copies of the first signal relayed by wrappers are not a second one (see interrupts.ts).
 */
function watchStops(stop: AbortController, o: RunExperimentOptions): () => void {
  const external = (): void => stop.abort();
  o.signal?.addEventListener('abort', external, { once: true });
  if (o.signal?.aborted) stop.abort();
  if (!o.handleSignals) return () => o.signal?.removeEventListener('abort', external);
  const unwatch = watchInterrupts({
    stop: (sig) => {
      o.log(`\n${sig}: asking the workers to checkpoint and stop (again to quit at once)…`);
      stop.abort();
    },
    quit: () => process.exit(130),
  });
  return () => {
    o.signal?.removeEventListener('abort', external);
    unwatch();
  };
}

/** Where the jobs run: worker processes here, or the queue's workers. */
function execute(o: RunExperimentOptions, record: string): typeof runPool {
  return o.queue ? queueExecutor(o.queue, record) : runPool;
}

/** The pool options both phases share: worker count capped by the job count, board updates per job. */
function poolOptions(board: ProgressBoard, workers: number, jobs: readonly PoolJob[], signal: AbortSignal, env: NodeJS.ProcessEnv | undefined): PoolOptions {
  const concurrency = Math.max(1, Math.min(workers, jobs.length));
  const base = env ?? process.env;
  return {
    workerModule: WORKER,
    concurrency,
    signal,
    // Native kernels are multi-threaded: the workers split the thread budget so the cores are never oversubscribed.
    env: { ...base, YOTO_THREADS: String(threadsPerWorker(threadBudget(base), concurrency)) },
    onStart: (id) => board.set(id, 'running'),
    onProgress: (id, p) => board.progress(id, p),
    onStatus: (id, text) => board.status(id, text),
  };
}

/**
 * One line per failed job: its error and where its log is. The log's tail (a worker's stack trace)
 * is added only under YOTO_DEBUG=1: the log file keeps it either way.
 */
function describeFailure(f: Extract<JobOutcome, { status: 'failed' }>, jobs: readonly PoolJob[], env: NodeJS.ProcessEnv | undefined): string {
  const log = jobs.find((j) => j.id === f.id)?.logFile;
  const line = `${f.id}: ${f.error}${log ? ` (worker log: ${log})` : ''}`;
  return debugging(env ?? process.env) && f.logTail ? `${line}\n${indent(f.logTail)}` : line;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}

