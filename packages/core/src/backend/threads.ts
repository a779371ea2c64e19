import { availableParallelism } from 'node:os';

/**
 * Threads one run may use for native kernels: `YOTO_THREADS`, default every core. The experiment
 * runner sets it per worker so that parallel workers split the cores instead of oversubscribing them.
 */
export function threadBudget(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.YOTO_THREADS?.trim();
  if (!raw) return availableParallelism();
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`YOTO_THREADS must be a positive integer, got ${JSON.stringify(env.YOTO_THREADS)}`);
  return n;
}

/** Each of `workers` parallel processes' share of `total` threads (at least one). */
export function threadsPerWorker(total: number, workers: number): number {
  return Math.max(1, Math.floor(total / Math.max(1, workers)));
}
