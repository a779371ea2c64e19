// `exp worker` as a process: Ctrl-C on a worker that holds no job leaves at once with exit code 0
// and its one-line summary, whether its Redis is there or has gone away; a worker whose own
// YOTO_TRACKER is not the one a job records into says so. And serveQueue with a running job (a fake
// one, counting with a timer): Ctrl-C releases it to the queue; a job whose lock expired is left to
// the worker that takes it over. (Real runs through workers that die: queue-faults.test.ts.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedis, type RedisStart } from '@yoto/test-servers';
import { Queue } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { QUEUE_NAME, redisConnection } from './queue.js';
import { serveQueue } from './queue-worker.js';
import { spawnCli, untilPrinted, type CliEnd, type CliProcess } from '../testing/cli-process.js';

const home = mkdtempSync(join(tmpdir(), 'yoto-queue-worker-'));
const servers: RedisStart[] = [];
afterAll(() => {
  for (const s of servers) if (s.ok) s.server.stop();
  rmSync(home, { recursive: true, force: true });
});

// Whether redis-server can run here at all; each test then starts one of its own.
const probe = await startRedis();
if (probe.ok) probe.server.stop();

async function redis(): Promise<string> {
  const started = await startRedis();
  servers.push(started);
  if (!started.ok) throw new Error(started.why);
  return started.server.url;
}

/**
 * What the worker did after Ctrl-C, or null if it was still running long after: far less than the
 * 120 s a stopping worker gives running jobs to be released, far more than leaving needs.
 */
async function interrupt(worker: CliProcess): Promise<CliEnd | null> {
  worker.child.kill('SIGINT');
  const gaveUp = new Promise<null>((r) => setTimeout(() => r(null), 30_000).unref());
  return Promise.race([worker.done, gaveUp]);
}

const IDLE_SUMMARY = 'worker: stopped (0 job(s) done, 0 failed, 0 released)';

// Each test starts a worker process: generous, for a loaded machine.
describe.skipIf(!probe.ok)(`exp worker${probe.ok ? '' : ` (skipped: ${probe.why})`}`, { timeout: 300_000 }, () => {
  it('stopped with Ctrl-C while idle, Redis up: exit 0 and its summary', async () => {
    const worker = spawnCli(['worker', '--queue', await redis()], { YOTO_HOME: home });
    await untilPrinted(worker, 'worker: taking jobs');
    const end = await interrupt(worker);
    expect(end, `still running 30 s after Ctrl-C:\n${worker.stderr()}`).not.toBeNull();
    expect(end!.code, end!.stderr).toBe(0);
    expect(end!.stderr).toContain('worker: stopping (no running job)');
    expect(end!.stderr).toContain(IDLE_SUMMARY);
  });

  it('stopped with Ctrl-C while idle, Redis gone away: exit 0 and its summary at once, not after the release bound, and no stack trace', async () => {
    const url = await redis();
    const worker = spawnCli(['worker', '--queue', url], { YOTO_HOME: home });
    await untilPrinted(worker, 'worker: taking jobs');
    const server = servers.at(-1)!;
    if (server.ok) server.server.stop();
    // The worker has noticed: its connections are reconnecting (the state that used to hang).
    await untilPrinted(worker, '(reconnecting)');
    const end = await interrupt(worker);
    expect(end, `still running 30 s after Ctrl-C:\n${worker.stderr()}`).not.toBeNull();
    expect(end!.code, end!.stderr).toBe(0);
    expect(end!.stderr).toContain(IDLE_SUMMARY);
    expect(end!.stderr).not.toContain('did not answer');
    expect(end!.stderr).not.toMatch(/^\s+at /m);
  });

  it("says once that jobs record into their submitter's tracker, not the worker's own YOTO_TRACKER", async () => {
    const url = await redis();
    const worker = spawnCli(['worker', '--queue', url], { YOTO_HOME: home, YOTO_TRACKER: 'postgres://me:s3cret@db.lan:5432/mine' });
    await untilPrinted(worker, 'worker: taking jobs');
    // Two jobs of a submitter recording into its SQLite file; of a kind no job process has, so each
    // fails at once instead of training.
    const queue = new Queue(QUEUE_NAME, { connection: redisConnection(url) });
    const submitterDb = join(home, 'submitter', 'tracker.db');
    for (const id of ['a', 'b']) await queue.add('probe', { id, kind: 'probe', payload: { db: submitterDb }, logFile: join(home, `${id}.log`) }, { jobId: id, attempts: 1 });
    await queue.close();
    await untilPrinted(worker, 'b: failed');
    const end = await interrupt(worker);
    expect(end, `still running 30 s after Ctrl-C:\n${worker.stderr()}`).not.toBeNull();
    expect(end!.code, end!.stderr).toBe(0);
    const notes = end!.stderr.split('\n').filter((l) => l.startsWith('worker: jobs record into'));
    expect(notes).toEqual([`worker: jobs record into the tracker their submitter names, ${submitterDb}, not this machine's YOTO_TRACKER=postgres://me:***@db.lan:5432/mine`]);
    expect(end!.stderr).toContain('worker: stopped (0 job(s) done, 2 failed, 0 released)');
  });
});

const FAKE_WORKER = join(import.meta.dirname, '__fixtures__', 'fake-worker.ts');

/** serveQueue in this process with the fake job worker, and the queue to feed it. */
async function served(lockMs?: number) {
  const url = await redis();
  const stop = new AbortController();
  const lines: string[] = [];
  const counts = serveQueue({ url, concurrency: 1, signal: stop.signal, env: process.env, log: (l) => lines.push(l), lockMs, workerModule: FAKE_WORKER });
  const queue = new Queue(QUEUE_NAME, { connection: redisConnection(url) });
  /** A job counting `steps` steps of 10 ms; resolves once it has reported progress. */
  const counting = async (id: string, steps: number): Promise<void> => {
    await queue.add('count', { id, kind: 'count', payload: { steps, delay: 10 }, logFile: join(home, `${id}.log`) }, { jobId: id, attempts: 1 });
    while (!(await queue.getJob(id))?.progress) await new Promise((r) => setTimeout(r, 100));
  };
  const until = async (line: string): Promise<void> => {
    while (!lines.some((l) => l.includes(line))) await new Promise((r) => setTimeout(r, 100));
  };
  return { stop, lines, counts, queue, counting, until };
}

describe.skipIf(!probe.ok)(`serveQueue with a running job${probe.ok ? '' : ` (skipped: ${probe.why})`}`, { timeout: 300_000 }, () => {
  it('Ctrl-C: the job stops, goes back to the queue, and the worker ends', async () => {
    const w = await served();
    await w.counting('c', 100_000);
    w.stop.abort();
    expect(await w.counts).toEqual({ done: 0, failed: 0, released: 1, lost: 0 });
    expect(w.lines).toContain('c: checkpointed and released');
    // Waiting for a worker again, not finished, failed or still held.
    expect(['wait', 'delayed', 'prioritized']).toContain(await (await w.queue.getJob('c'))!.getState());
    await w.queue.close();
  });

  it('a job whose lock expired is left to the worker that takes it over, not finished or failed with a stale token', async () => {
    const w = await served(1_000);
    await w.counting('c', 300);
    // The lock gone as after a Redis outage longer than it lasts: its next renewal fails.
    await (await w.queue.client).del(`${w.queue.toKey('c')}:lock`);
    await w.until('c: lost its lock');
    // The job is handed on (here to this same worker, once free), which then finishes it.
    await w.until('c: done');
    w.stop.abort();
    expect(await w.counts).toEqual({ done: 1, failed: 0, released: 0, lost: 1 });
    expect(w.lines).toContain('c: left to the worker that took it over');
    expect(w.lines.filter((l) => l === 'c: started')).toHaveLength(2);
    expect(await (await w.queue.getJob('c'))!.getState()).toBe('completed');
    await w.queue.close();
  });
});
