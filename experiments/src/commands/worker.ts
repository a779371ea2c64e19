import { UsageError } from '../errors.js';
import type { ParsedArgs } from '../cli/args.js';
import type { CliIo } from '../cli/main.js';
import { watchInterrupts } from '../runner/interrupts.js';
import { checkTrackerRetry } from '../runner/home.js';
import { checkRedis } from '../runner/queue.js';
import { serveQueue } from '../runner/queue-worker.js';

/** `exp worker`: serves the queue until Ctrl-C/SIGTERM; exit 0 when every running job was released. */
export async function workerCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const url = args.flags.queue as string | undefined;
  if (url === undefined) throw new UsageError(`'worker' needs --queue redis://host:port`);
  const concurrency = (args.flags.concurrency as number | undefined) ?? 1;
  if (concurrency < 1) throw new UsageError(`--concurrency must be at least 1, got ${concurrency}`);
  const lockMs = io.env.YOTO_QUEUE_LOCK_MS === undefined ? undefined : Number(io.env.YOTO_QUEUE_LOCK_MS);
  if (lockMs !== undefined && !(Number.isInteger(lockMs) && lockMs >= 1_000))
    throw new UsageError(`YOTO_QUEUE_LOCK_MS=${io.env.YOTO_QUEUE_LOCK_MS} must be a whole number of milliseconds, at least 1000`);
  // The jobs open the tracker their submitter names, waiting for it as this machine's variable says.
  checkTrackerRetry(io.env);
  await checkRedis(url);
  const stop = new AbortController();
  const unwatch = watchInterrupts({ stop: () => stop.abort(), quit: () => process.exit(130) });
  try {
    const counts = await serveQueue({ url, concurrency, signal: stop.signal, env: io.env, log: io.err, lockMs });
    const lost = counts.lost > 0 ? `, ${counts.lost} lost to other workers` : '';
    io.err(`worker: stopped (${counts.done} job(s) done, ${counts.failed} failed, ${counts.released} released${lost})`);
    return 0;
  } finally {
    unwatch();
  }
}
