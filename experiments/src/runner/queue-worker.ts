import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import { join } from 'node:path';
import { threadBudget, threadsPerWorker } from '@yoto/core/threads';
import { redactUrl } from '@yoto/tracker/location';
import type { TrainPayload } from './jobs.js';
import { runPool, type PoolJob } from './pool.js';
import { QUEUE_NAME, redisConnection, type QueueReport } from './queue.js';

const WORKER = join(import.meta.dirname, 'worker.ts');
/** How long a stopping worker waits for its running jobs' release to reach the queue. */
const CLOSE_WAIT_MS = 120_000;
/** How long closing the connections may take once nothing is left to write (it needs no answer). */
const DISCONNECT_WAIT_MS = 5_000;

export interface QueueWorkerOptions {
  url: string;
  /** Jobs run at once, each in its own process (default 1). */
  concurrency: number;
  /** Aborting (Ctrl-C): running jobs checkpoint and go back to the queue; the worker then ends. */
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
  log(line: string): void;
  /**
   * How long a job's lock lives without renewal (default 30 s, `YOTO_QUEUE_LOCK_MS`): a worker that
   * dies (kill -9, power) loses its jobs to the other workers after about this long.
   */
  lockMs?: number;
  /** The job processes' entry module (default: the runner's worker; tests pass a fake one). */
  workerModule?: string;
}

export interface QueueWorkerCounts {
  done: number;
  failed: number;
  /** Checkpointed on Ctrl-C and given back to the queue. */
  released: number;
  /** Lost to another worker when their lock expired. */
  lost: number;
}

/**
 * `exp worker`: takes jobs from the queue and runs each exactly as the local runner would (one
 * worker process per job, same trainer, heartbeats and checkpoints in the tracker and YOTO_HOME the
 * job names). BullMQ's lock says who holds a job; when it expires, the job is handed to another
 * worker, whose train job takes the run over (the tracker's lease fences off the old holder) and
 * resumes from the last complete checkpoint. Resolves when stopped and every job is released.
 */
export async function serveQueue(o: QueueWorkerOptions): Promise<QueueWorkerCounts> {
  const lockDuration = o.lockMs ?? 30_000;
  const counts: QueueWorkerCounts = { done: 0, failed: 0, released: 0, lost: 0 };
  /** The running jobs' stops, by job id. */
  const stops = new Map<string, AbortController>();
  /** Running jobs whose lock expired: another worker may hold them now. */
  const lost = new Set<string>();
  const env = { ...o.env, YOTO_THREADS: String(threadsPerWorker(threadBudget(o.env), o.concurrency)) };
  const noteTracker = trackerNote(o.env, o.log);

  const processJob = async (job: Job<PoolJob>, token?: string): Promise<unknown> => {
    const pj: PoolJob = job.data.kind === 'train' ? { ...job.data, payload: { ...(job.data.payload as TrainPayload), takeOver: true } } : job.data;
    const id = job.id ?? '';
    const stop = new AbortController();
    stops.set(id, stop);
    if (o.signal.aborted) stop.abort();
    o.log(`${job.id}: started`);
    noteTracker(pj);
    try {
      const report = (r: QueueReport): void => void job.updateProgress(r as object).catch(() => {});
      const [out] = await runPool([pj], {
        workerModule: o.workerModule ?? WORKER,
        concurrency: 1,
        signal: stop.signal,
        env,
        onProgress: (_id, progress) => report({ progress }),
        onStatus: (_id, status) => report({ status }),
      });
      if (lost.has(id)) {
        // Not ours any more: BullMQ must write nothing with a token that is no longer the job's,
        // and what this process made of the job is the new holder's to redo (a train job's writes
        // were fenced off by the tracker's lease once the new holder took the run over).
        counts.lost++;
        o.log(`${id}: left to the worker that took it over`);
        throw new DelayedError();
      }
      const stopped = out.status === 'not-started' || (out.status === 'done' && (out.result as { stopped?: boolean } | null)?.stopped === true);
      if (stopped && stop.signal.aborted && token) {
        // Checkpointed on Ctrl-C: back to the queue for another worker (or this one, restarted).
        await job.moveToDelayed(Date.now(), token);
        counts.released++;
        o.log(`${job.id}: checkpointed and released`);
        throw new DelayedError();
      }
      if (out.status === 'failed') {
        counts.failed++;
        o.log(`${job.id}: failed: ${out.error}`);
        throw new UnrecoverableError(out.error);
      }
      counts.done++;
      o.log(`${job.id}: done`);
      return out.status === 'done' ? out.result : null;
    } finally {
      stops.delete(id);
      lost.delete(id);
    }
  };

  const worker = new Worker<PoolJob>(QUEUE_NAME, processJob, {
    connection: redisConnection(o.url),
    concurrency: o.concurrency,
    lockDuration,
    stalledInterval: Math.max(1_000, Math.floor(lockDuration / 2)),
    // A job whose worker died is handed on, not failed: its run resumes from its checkpoint.
    maxStalledCount: 1_000,
    // Started below, so that its promise says when the last taken job has been written back.
    autorun: false,
  });
  // Said once per outage, not at every reconnection attempt; nothing once the worker is leaving
  // (closing connections that never came back reports errors that mean nothing to the user).
  let outage: string | null = null;
  let leaving = false;
  // A lock that could not be renewed has expired (the queue was out of reach, or this process
  // stalled, for longer than the lock lasts): the job goes to another worker, which takes its run over
  // from the last checkpoint. This one lets its job process run on (its tracker writes are fenced
  // off) and does not report the job as its own when it ends.
  worker.on('lockRenewalFailed', (ids) => {
    for (const id of ids) {
      if (!stops.has(id) || lost.has(id)) continue;
      lost.add(id);
      o.log(`${id}: lost its lock (the queue was out of reach for longer than the lock lasts); another worker takes the run over from its checkpoint`);
    }
  });
  worker.on('error', (err) => {
    // BullMQ's own line for a lost lock, said better above.
    if (/^could not renew lock for job /.test(err.message)) return;
    if (leaving || outage === err.message) return;
    outage = err.message;
    o.log(`queue: ${err.message} (reconnecting)`);
  });
  worker.on('ready', () => {
    if (outage !== null && !leaving) o.log('queue: reconnected');
    outage = null;
  });
  const stopped = new Promise<void>((resolve) => {
    if (o.signal.aborted) resolve();
    else o.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  // Ctrl-C while the queue is still being reached leaves at once too (a late failure is then moot).
  const ready = worker.waitUntilReady();
  ready.catch(() => {});
  await Promise.race([ready, stopped]);
  let serving: Promise<void> = Promise.resolve();
  if (!o.signal.aborted) {
    // Resolves once the worker is paused or closed and every job it took has been written back.
    serving = worker.run().catch((err: Error) => o.log(`queue: ${err.message}`));
    o.log(`worker: taking jobs from the queue (${o.concurrency} at a time)`);
  }
  await stopped;
  const idle = stops.size === 0;
  o.log(idle ? 'worker: stopping (no running job)' : 'worker: stopping — running jobs checkpoint and go back to the queue…');
  for (const s of stops.values()) s.abort();
  // Takes no new job (no Redis round trip: this cannot wait on an unreachable queue).
  await worker.pause(true);
  if (!idle) {
    // The running jobs checkpoint and are released (or finish) and BullMQ writes that back. With
    // the queue unreachable that write waits for it to return: give up after a while (the job's lock
    // expires and another worker takes the run from its checkpoint) rather than hang.
    const written = await settlesWithin(serving, CLOSE_WAIT_MS);
    if (!written) o.log(`worker: the queue did not answer within ${CLOSE_WAIT_MS / 1000} s; leaving (its jobs go to other workers when their locks expire)`);
  }
  // Nothing of ours is left to write (an idle worker has nothing at all; a job being handed to it
  // this very moment goes back to the queue when its lock expires, as a dead worker's does), so the
  // connections are dropped without waiting for anything from Redis. BullMQ's graceful close would
  // wait for the blocking connection to end, which a connection that is down never does (ioredis:
  // disconnecting while it reconnects emits no 'end'), and would keep its lock timer running.
  leaving = true;
  if (!(await settlesWithin(worker.close(true), DISCONNECT_WAIT_MS))) o.log('worker: the queue connections did not close; leaving anyway');
  return counts;
}

/**
 * A job records into the tracker its submitter named (the location travels in the job, as do the
 * submitter's YOTO_HOME folders), not into this machine's `YOTO_TRACKER`: where that is set and
 * differs, the worker says so, once per tracker, so that a misconfigured machine is noticed.
 */
function trackerNote(env: NodeJS.ProcessEnv, log: (line: string) => void): (job: PoolJob) => void {
  const own = env.YOTO_TRACKER?.trim();
  const noted = new Set<string>();
  return (job) => {
    const db = (job.payload as { db?: unknown } | null)?.db;
    if (!own || typeof db !== 'string' || db === own || noted.has(db)) return;
    noted.add(db);
    log(`worker: jobs record into the tracker their submitter names, ${redactUrl(db)}, not this machine's YOTO_TRACKER=${redactUrl(own)}`);
  };
}

/**
 * Whether `p` settles (either way) within `ms`. The timer is deliberately not unref'd: while a
 * caller awaits a promise that may never settle (a connection stuck reconnecting), it is what keeps
 * the event loop alive, so the await always ends instead of the process draining under it (Node's
 * exit code 13, "unsettled top-level await").
 */
function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  return Promise.race([p.then(() => true, () => true), timeout]).finally(() => clearTimeout(timer));
}
