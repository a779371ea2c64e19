import { TrackerError } from '../errors.js';

/**
 * Waiting out a PostgreSQL server that went away (a restart, a network blip): how long, how often,
 * and what the user reads meanwhile. The tracker's calls are synchronous, so the wait blocks the
 * calling thread as the call itself would: a training step that logs waits for the server.
 */

/** The variable that bounds the wait; every process that opens the tracker reads it. */
export const RETRY_ENV = 'YOTO_TRACKER_RETRY_MS';
export const DEFAULT_RETRY_MS = 60_000;

/** `YOTO_TRACKER_RETRY_MS` in milliseconds (default 60 s; 0: fail at the first lost connection). */
export function retryMsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[RETRY_ENV]?.trim();
  if (raw === undefined || raw === '') return DEFAULT_RETRY_MS;
  const ms = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(ms)) {
    throw new TrackerError('INVALID_ARGUMENT', `${RETRY_ENV}=${raw} must be a whole number of milliseconds (0: do not retry)`);
  }
  return ms;
}

/** The server did not answer because it is away, not because the statement was wrong: worth retrying. */
export class ConnectionLost extends TrackerError {
  constructor(readonly why: string) {
    super('DB_UNREACHABLE', why);
  }
}

export interface RetryOptions {
  /** The database, for the reconnected line: "tracker database postgres://…" (no password). */
  label: string;
  /** What failed, for the waiting line and the error: "cannot connect to tracker database postgres://…". */
  what: string;
  /** Longest total wait before giving up (0: no retry). */
  budgetMs: number;
  /** Where the waiting and reconnected lines go. */
  log(line: string): void;
}

const seconds = (ms: number): string => `${ms < 10_000 ? (ms / 1000).toFixed(1) : Math.round(ms / 1000)} s`;

/** 100 ms, doubling, at most 2 s between tries: quick for a blip, a few tries a second at most. */
function backoffMs(attempt: number): number {
  return Math.min(100 * 2 ** attempt, 2_000);
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Runs `attempt` until it does not throw ConnectionLost, waiting with backoff between tries for at
 * most `budgetMs` after the first failure. Says once that it is waiting (one line, not one per try) and once that it
 * got through; gives up with one DB_UNREACHABLE error that names the bound and how to change it.
 */
export function retrying<T>(attempt: () => T, o: RetryOptions): T {
  // The bound counts from the first failure: a slow first try (a loaded machine) is not waiting.
  let lostAt = 0;
  let failures = 0;
  for (;;) {
    try {
      const result = attempt();
      if (failures > 0) o.log(`${o.label}: reconnected after ${seconds(Date.now() - lostAt)}`);
      return result;
    } catch (err) {
      if (!(err instanceof ConnectionLost)) throw err;
      if (o.budgetMs <= 0) throw new TrackerError('DB_UNREACHABLE', `${o.what}: ${err.why}`, { cause: err });
      if (failures === 0) lostAt = Date.now();
      const waited = Date.now() - lostAt;
      const delay = Math.min(backoffMs(failures), o.budgetMs - waited);
      if (delay <= 0) {
        throw new TrackerError(
          'DB_UNREACHABLE',
          `${o.what}: ${err.why} (gave up after retrying for ${seconds(waited)}; ${RETRY_ENV} sets how long)`,
          { cause: err },
        );
      }
      if (failures === 0) o.log(`${o.what}: ${err.why}; retrying for up to ${seconds(o.budgetMs)} (${RETRY_ENV})`);
      failures++;
      sleepSync(delay);
    }
  }
}
