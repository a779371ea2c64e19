import { isParentMessage, type Progress, type WorkerMessage } from './protocol.js';

export interface JobContext {
  id: string;
  /** Aborted when the parent asks to stop or this process gets SIGINT/SIGTERM. */
  signal: AbortSignal;
  progress(p: Progress): void;
  status(text: string): void;
}

export type JobHandler = (payload: never, ctx: JobContext) => Promise<unknown>;

/** Minimum interval between progress messages: the display redraws a few times a second at most. */
const PROGRESS_INTERVAL_MS = 200;

/**
 * The worker side of the pool: waits for one job over IPC, runs the handler for its kind, sends the
 * result (or the error) and exits. SIGINT and SIGTERM abort the job's signal instead of killing the
 * process, so the handler can checkpoint and report that it stopped; a Ctrl-C in a terminal reaches
 * every process of the foreground group, workers included.
 */
export function serveJob(handlers: Record<string, JobHandler>): void {
  if (!process.send) throw new Error('worker started without an IPC channel (run it through the runner pool)');
  const controller = new AbortController();
  const stop = (): void => controller.abort(new Error('stopped'));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // The parent going away (killed -9) must not leave an orphan training forever.
  process.on('disconnect', () => {
    stop();
    setTimeout(() => process.exit(1), 30_000).unref();
  });

  const send = (m: WorkerMessage): Promise<void> =>
    new Promise((resolve) => {
      if (!process.connected) return resolve();
      process.send!(m, undefined, {}, () => resolve());
    });

  let started = false;
  process.on('message', (msg: unknown) => {
    if (!isParentMessage(msg)) return;
    if (msg.type === 'stop') return stop();
    if (started) return;
    started = true;
    const handler = handlers[msg.kind];
    let lastProgress = 0;
    const ctx: JobContext = {
      id: msg.id,
      signal: controller.signal,
      progress: (p) => {
        const now = Date.now();
        if (now - lastProgress < PROGRESS_INTERVAL_MS && p.step < p.steps) return;
        lastProgress = now;
        void send({ type: 'progress', id: msg.id, progress: p });
      },
      status: (text) => void send({ type: 'status', id: msg.id, text }),
    };
    const run = handler
      ? handler(msg.payload as never, ctx)
      : Promise.reject(new Error(`worker has no handler for job kind '${msg.kind}' (has ${Object.keys(handlers).join(', ')})`));
    run.then(
      async (result) => {
        await send({ type: 'result', id: msg.id, result });
        process.exit(0);
      },
      async (err: unknown) => {
        const e = err instanceof Error ? err : new Error(String(err));
        process.stderr.write(`${e.stack ?? e.message}\n`);
        await send({ type: 'error', id: msg.id, message: e.message, stack: e.stack });
        process.exit(1);
      },
    );
  });
}
