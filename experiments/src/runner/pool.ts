import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isWorkerMessage, type Progress } from './protocol.js';

export interface PoolJob {
  id: string;
  /**
   * What makes two submissions the same job for the queue (default `id`): a train job's run name,
   * which carries profile and config hash, so `exp run --queue` twice trains nothing twice.
   */
  key?: string;
  kind: string;
  payload: unknown;
  /** The worker's stdout and stderr go here (appended), so they never break the progress display. */
  logFile: string;
}

export type JobOutcome =
  | { id: string; status: 'done'; result: unknown }
  | { id: string; status: 'failed'; error: string; logTail: string }
  /** Never started because the pool was stopping. */
  | { id: string; status: 'not-started' };

export interface PoolOptions {
  /** Absolute path of the worker entry module (TypeScript; loaded through tsx). */
  workerModule: string;
  concurrency: number;
  /** Aborting stops the pool: running workers are asked to checkpoint and stop, queued jobs never start. */
  signal?: AbortSignal;
  /** After a stop request, workers still alive this long afterwards are killed (default 60 s). */
  killAfterMs?: number;
  env?: NodeJS.ProcessEnv;
  onStart?(id: string): void;
  onProgress?(id: string, p: Progress): void;
  onStatus?(id: string, text: string): void;
  onFinish?(outcome: JobOutcome): void;
}

/**
 * Runs jobs in child processes, at most `concurrency` at a time, in the order given (callers put the
 * longest first). One process per job: the wasm backend is single-threaded, so parallelism comes
 * from processes (native kernels get their share of threads through the env), and a fresh process
 * per job keeps a crash or leak from spreading.
 */
export async function runPool(jobs: readonly PoolJob[], options: PoolOptions): Promise<JobOutcome[]> {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1)
    throw new Error(`worker count must be a positive integer, got ${options.concurrency}`);
  const outcomes = new Map<string, JobOutcome>();
  const queue = [...jobs];
  const live = new Set<ChildProcess>();
  const signal = options.signal;
  let killTimer: NodeJS.Timeout | undefined;

  const onAbort = (): void => {
    for (const child of live) sendStop(child);
    killTimer = setTimeout(() => {
      for (const child of live) child.kill('SIGKILL');
    }, options.killAfterMs ?? 60_000);
    killTimer.unref();
  };
  signal?.addEventListener('abort', onAbort, { once: true });

  const runOne = (job: PoolJob): Promise<JobOutcome> =>
    new Promise((resolve) => {
      mkdirSync(dirname(job.logFile), { recursive: true });
      const fd = openSync(job.logFile, 'a');
      const child = fork(options.workerModule, [], {
        execArgv: ['--import', tsxLoader()],
        stdio: ['ignore', fd, fd, 'ipc'],
        env: options.env ?? process.env,
        // Own process group: a terminal Ctrl-C reaches only the parent, which then stops the workers
        // in order (checkpoint, mark killed) instead of every process racing on its own.
        detached: true,
      });
      closeSync(fd);
      live.add(child);
      options.onStart?.(job.id);
      let result: { ok: true; value: unknown } | { ok: false; message: string } | undefined;
      child.on('message', (m: unknown) => {
        if (!isWorkerMessage(m) || m.id !== job.id) return;
        if (m.type === 'progress') options.onProgress?.(job.id, m.progress);
        else if (m.type === 'status') options.onStatus?.(job.id, m.text);
        else if (m.type === 'result') result = { ok: true, value: m.result };
        else result = { ok: false, message: m.message };
      });
      let settled = false;
      const finish = (code: number | null, sig: NodeJS.Signals | null, spawnError?: Error): void => {
        if (settled) return;
        settled = true;
        live.delete(child);
        let outcome: JobOutcome;
        if (result?.ok) outcome = { id: job.id, status: 'done', result: result.value };
        else {
          const why = spawnError
            ? spawnError.message
            : result && !result.ok
              ? result.message
              : `worker exited with ${sig ? `signal ${sig}` : `code ${code}`} before reporting a result`;
          outcome = { id: job.id, status: 'failed', error: why, logTail: tail(job.logFile) };
        }
        options.onFinish?.(outcome);
        resolve(outcome);
      };
      child.on('exit', (code, sig) => finish(code, sig));
      child.on('error', (err) => {
        finish(null, null, err);
        child.kill('SIGKILL');
      });
      child.send({ type: 'job', id: job.id, kind: job.kind, payload: job.payload });
      if (signal?.aborted) sendStop(child);
    });

  const lane = async (): Promise<void> => {
    for (;;) {
      if (signal?.aborted) return;
      const job = queue.shift();
      if (!job) return;
      outcomes.set(job.id, await runOne(job));
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(options.concurrency, jobs.length) }, lane));
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (killTimer) clearTimeout(killTimer);
  }
  return jobs.map((j) => outcomes.get(j.id) ?? { id: j.id, status: 'not-started' });
}

function sendStop(child: ChildProcess): void {
  if (child.connected) child.send({ type: 'stop' }, (err) => void err);
  // A worker busy in a long synchronous kernel reads IPC only between steps; the signal is the
  // same request and wakes it no sooner, but covers a worker whose IPC channel is already closed.
  else child.kill('SIGTERM');
}

let loaderUrl: string | undefined;
/** tsx's ESM loader, resolved from this package so workers start the same way under any cwd. */
export function tsxLoader(): string {
  loaderUrl ??= pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return loaderUrl;
}

/** The last lines of a worker's log, for error messages. */
export function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
