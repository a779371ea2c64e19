import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import { join } from 'node:path';
import { threadBudget, threadsPerWorker } from '@yoto/core/threads';
import type { TrainPayload } from './jobs.js';
import { runPool, type PoolJob } from './pool.js';
import { QUEUE_NAME, redisConnection, type QueueReport } from './queue.js';

const WORKER = join(import.meta.dirname, 'worker.ts');
/** How long a stopping worker waits for its jobs' release to reach the queue. */
const CLOSE_WAIT_MS = 120_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

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
}

/**
 * `exp worker`: takes jobs from the queue and runs each exactly as the local runner would (one
 * worker process per job, same trainer, heartbeats and checkpoints in the tracker and YOTO_HOME the
 * job names). BullMQ's lock says who holds a job; when it expires, the job is handed to another
 * worker, whose train job takes the run over (the tracker's lease fences off the old holder) and
 * resumes from the last complete checkpoint. Resolves when stopped and every job is released.
 */
export async function serveQueue(o: QueueWorkerOptions): Promise<{ done: number; failed: number; released: number }> {
  const lockDuration = o.lockMs ?? 30_000;
  const counts = { done: 0, failed: 0, released: 0 };
  const stops = new Set<AbortController>();
  const env = { ...o.env, YOTO_THREADS: String(threadsPerWorker(threadBudget(o.env), o.concurrency)) };

  const processJob = async (job: Job<PoolJob>, token?: string): Promise<unknown> => {
    const pj: PoolJob = job.data.kind === 'train' ? { ...job.data, payload: { ...(job.data.payload as TrainPayload), takeOver: true } } : job.data;
    const stop = new AbortController();
    stops.add(stop);
    if (o.signal.aborted) stop.abort();
    o.log(`${job.id}: started`);
    try {
      const report = (r: QueueReport): void => void job.updateProgress(r as object).catch(() => {});
      const [out] = await runPool([pj], {
        workerModule: WORKER,
        concurrency: 1,
        signal: stop.signal,
        env,
        onProgress: (_id, progress) => report({ progress }),
        onStatus: (_id, status) => report({ status }),
      });
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
      stops.delete(stop);
    }
  };

  const worker = new Worker<PoolJob>(QUEUE_NAME, processJob, {
    connection: redisConnection(o.url),
    concurrency: o.concurrency,
    lockDuration,
    stalledInterval: Math.max(1_000, Math.floor(lockDuration / 2)),
    // A job whose worker died is handed on, not failed: its run resumes from its checkpoint.
    maxStalledCount: 1_000,
  });
  // Said once per outage, not at every reconnection attempt.
  let outage: string | null = null;
  worker.on('error', (err) => {
    if (outage === err.message) return;
    outage = err.message;
    o.log(`queue: ${err.message} (reconnecting)`);
  });
  worker.on('ready', () => {
    if (outage !== null) o.log('queue: reconnected');
    outage = null;
  });
  await worker.waitUntilReady();
  o.log(`worker: taking jobs from the queue (${o.concurrency} at a time)`);
  await new Promise<void>((resolve) => {
    const onAbort = (): void => {
      o.log('worker: stopping — running jobs checkpoint and go back to the queue…');
      for (const s of stops) s.abort();
      resolve();
    };
    if (o.signal.aborted) onAbort();
    else o.signal.addEventListener('abort', onAbort, { once: true });
  });
  // Waits for the running jobs to be released, and takes no new ones. With the queue unreachable the
  // release cannot be written: give up after a while (the job's lock expires and another worker
  // takes the run from its checkpoint) rather than hang.
  const closed = await Promise.race([worker.close().then(() => true), sleep(CLOSE_WAIT_MS).then(() => false)]);
  if (!closed) {
    o.log(`worker: the queue did not answer within ${CLOSE_WAIT_MS / 1000} s; leaving (its jobs go to other workers when their locks expire)`);
    void worker.close(true).catch(() => {});
    await worker.disconnect().catch(() => {});
  }
  return counts;
}
