import { Queue, QueueEvents, type Job } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { UsageError } from '../errors.js';
import type { JobOutcome, PoolJob, PoolOptions } from './pool.js';
import type { Progress } from './protocol.js';

/**
 * The BullMQ queue that carries `exp run --queue` jobs to `exp worker`s. A queued job is exactly a
 * pool job (train, evaluate, pictures): the worker runs it with the local pool's worker process, so
 * queued and local runs train with the same code. Its id is what makes two submissions the same job
 * (the experiment record, the job kind and its key: for training the run's name, which carries the
 * profile and config hash), so a second `exp run --queue` attaches to the first one's jobs.
 */
export const QUEUE_NAME = 'yoto-jobs';

/** Progress a worker reports on a job (BullMQ's job progress, relayed to the submitter's board). */
export type QueueReport = { progress: Progress } | { status: string };

/** Parses `redis://[user:password@]host[:port][/db]` into BullMQ's connection options. */
export function redisConnection(url: string): RedisOptions & { host: string; port: number } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`--queue ${url} is not a URL; expected redis://host:port`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new UsageError(`--queue ${url} is not a redis:// URL; expected redis://host:port`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new UsageError(`--queue ${url}: database '${u.pathname.slice(1)}' is not a number`);
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    // Blocking reads (workers, events) must wait through a restart instead of failing: commands queue
    // while ioredis reconnects, and go out once the server is back.
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(200 * times, 2_000),
  };
}

/** The URL as messages show it: without a password. */
export function redactRedisUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

/**
 * Fails in one line when nothing answers at `url` (instead of ioredis retrying forever): the
 * reconnecting connections are opened only once the server has answered a PING.
 */
export async function checkRedis(url: string, timeoutMs = 5_000): Promise<void> {
  const conn = redisConnection(url);
  const probe = new Redis({ ...conn, maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true, connectTimeout: timeoutMs });
  // The socket's own error (ECONNREFUSED, ENOTFOUND) says more than the "Connection is closed" that follows it.
  let cause: Error | null = null;
  probe.on('error', (err: Error) => (cause ??= err));
  try {
    await probe.connect();
    await probe.ping();
  } catch (err) {
    const why = (cause ?? (err as Error)).message.replace(/\.$/, '');
    throw new UsageError(`cannot reach the queue at ${redactRedisUrl(url)}: ${why}; start redis-server there, or check --queue`);
  } finally {
    probe.disconnect();
  }
}

/** `record|kind|key`, with characters BullMQ reserves (`:`) replaced. */
export function queueJobId(record: string, job: PoolJob): string {
  return [record, job.kind, job.key ?? job.id].join('|').replace(/:/g, '_');
}

/** How often the submitter also polls job states: events sent while Redis restarted are lost. */
const POLL_MS = 2_000;

/**
 * A drop-in for `runPool` that sends the jobs through the queue and waits for the workers: the same
 * callbacks (started, progress, status, finished) fire from the workers' reports. Aborting stops the
 * waiting, not the jobs: they stay queued or running, and the same command attaches to them again.
 */
export function queueExecutor(url: string, record: string) {
  return async (jobs: readonly PoolJob[], options: PoolOptions): Promise<JobOutcome[]> => {
    const connection = redisConnection(url);
    const queue = new Queue(QUEUE_NAME, { connection });
    const events = new QueueEvents(QUEUE_NAME, { connection });
    queue.on('error', () => {});
    events.on('error', () => {});
    const byQueueId = new Map(jobs.map((j) => [queueJobId(record, j), j] as const));
    const started = new Set<string>();
    const start = (qid: string): void => {
      const j = byQueueId.get(qid);
      if (!j || started.has(qid)) return;
      started.add(qid);
      options.onStart?.(j.id);
    };
    events.on('active', ({ jobId }) => start(jobId));
    events.on('progress', ({ jobId, data }) => {
      const j = byQueueId.get(jobId);
      if (!j) return;
      start(jobId);
      const report = data as QueueReport;
      if ('progress' in report) options.onProgress?.(j.id, report.progress);
      else if ('status' in report) options.onStatus?.(j.id, report.status);
    });
    try {
      await events.waitUntilReady();
      for (const [qid, j] of byQueueId) {
        const existing = await queue.getJob(qid);
        const state = existing ? await existing.getState() : null;
        // A finished job of an earlier submission is history: the runner decided this work is still to do.
        if (existing && (state === 'completed' || state === 'failed')) await existing.remove();
        if (!existing || state === 'completed' || state === 'failed') {
          await queue.add(j.kind, j, {
            jobId: qid,
            // A failure is deterministic (a diverged run diverges again): no automatic retries.
            attempts: 1,
            removeOnComplete: { age: 7 * 24 * 3600 },
            removeOnFail: { age: 7 * 24 * 3600 },
          });
        } else if (state === 'active') start(qid);
      }
      return await Promise.all([...byQueueId].map(([qid, j]) => waitFor(queue, qid, j, options, start)));
    } finally {
      await events.close().catch(() => {});
      await queue.close().catch(() => {});
    }
  };
}

/** Waits until the job completes or fails (by event, or by polling its state), or until aborted. */
function waitFor(queue: Queue, qid: string, j: PoolJob, options: PoolOptions, start: (qid: string) => void): Promise<JobOutcome> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (outcome: JobOutcome): void => {
      if (done) return;
      done = true;
      clearInterval(timer);
      options.signal?.removeEventListener('abort', onAbort);
      options.onFinish?.(outcome);
      resolve(outcome);
    };
    const onAbort = (): void => finish({ id: j.id, status: 'not-started' });
    const check = async (): Promise<void> => {
      let job: Job | undefined;
      try {
        job = await queue.getJob(qid);
      } catch {
        return; // Redis is restarting: the next poll asks again.
      }
      if (!job) return finish({ id: j.id, status: 'failed', error: `queued job ${qid} disappeared from the queue`, logTail: '' });
      const state = await job.getState().catch(() => 'unknown');
      if (state === 'active') start(qid);
      if (state === 'completed') finish({ id: j.id, status: 'done', result: job.returnvalue });
      else if (state === 'failed') finish({ id: j.id, status: 'failed', error: job.failedReason || 'failed on a worker', logTail: '' });
    };
    const timer = setInterval(() => void check(), POLL_MS);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    void check();
  });
}
