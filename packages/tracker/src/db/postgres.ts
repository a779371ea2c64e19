import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { TrackerError, errorMessage } from '../errors.js';
import { ConnectionLost, retryMsFromEnv, retrying, type RetryOptions } from './retry.js';
import type { DialectAware, SqlDatabase, SqlStatement, SqlTransaction } from './sql.js';

export interface PostgresOptions {
  /** How long to wait for the server to accept a connection (default 10 s). */
  connectTimeoutMs?: number;
  /** The longest one statement may take before the call fails (default 10 min). */
  statementTimeoutMs?: number;
  /**
   * How long to keep retrying when the server goes away (restart, network): the connection, every
   * statement outside a transaction and every whole transaction are tried again, with backoff, for
   * at most this long in all (default `YOTO_TRACKER_RETRY_MS`, else 60 s; 0: fail at once).
   */
  retryMs?: number;
  /** Where "retrying…" and "reconnected" lines go (default: stderr). */
  log?: (line: string) => void;
}

/** The advisory lock every write transaction takes: SQLite's one-writer-at-a-time, on PostgreSQL. */
const WRITE_LOCK = 0x796f746f; // "yoto"

interface Reply {
  ok: boolean;
  rows?: unknown[];
  rowCount?: number;
  message?: string;
  code?: string;
}

/**
 * A PostgreSQL database behind the tracker's synchronous SQL seam. node-postgres runs in a worker
 * thread (pg-worker.mjs) and each call blocks until it answers, as better-sqlite3 blocks on disk:
 * the tracker's API, its callers and the trainer's MetricSink stay synchronous. Statements are few
 * and batched (a flush of 5,000 metric rows is 20 statements), so the round trips are cheap.
 * Write transactions (`immediate`) take one advisory lock, giving PostgreSQL the same serialised
 * writers the SQLite store was designed around (lease checks, migrations, run take-over).
 */
export class PostgresDatabase implements SqlDatabase, DialectAware {
  readonly dialect = 'postgres' as const;
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly flag: Int32Array;
  private readonly statementTimeoutMs: number;
  private readonly retry: RetryOptions;
  private depth = 0;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly label: string,
    options: PostgresOptions = {},
  ) {
    const budgetMs = options.retryMs ?? retryMsFromEnv();
    if (!Number.isSafeInteger(budgetMs) || budgetMs < 0) {
      throw new TrackerError('INVALID_ARGUMENT', `retryMs must be a non-negative whole number of milliseconds, got ${budgetMs}`);
    }
    const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
    this.retry = { label: `tracker database ${label}`, what: `tracker database ${label}`, budgetMs, log };
    const shared = new SharedArrayBuffer(4);
    this.flag = new Int32Array(shared);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(new URL('./pg-worker.mjs', import.meta.url), { workerData: { port: port2, shared }, transferList: [port2] });
    // Never keeps the process alive: the tracker's handles end runs from exit hooks, synchronously.
    this.worker.unref();
    this.statementTimeoutMs = options.statementTimeoutMs ?? 600_000;
    const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    const what = `cannot connect to tracker database ${label}`;
    try {
      retrying(() => {
        try {
          // The first call also starts the thread and loads node-postgres: on a loaded machine that
          // alone took over 15 s (load 20 on 2 cores). The server's own wait is connectTimeoutMs.
          this.call({ op: 'connect', url, connectTimeoutMs }, connectTimeoutMs + 60_000);
        } catch (err) {
          if (err instanceof ConnectionLost) throw err;
          throw new TrackerError('DB_UNREACHABLE', `${what}: ${errorMessage(err)}`, { cause: err });
        }
      }, { ...this.retry, what });
    } catch (err) {
      this.terminate();
      throw err;
    }
  }

  prepare(sql: string): SqlStatement {
    return new PgStatement(this, toDollarParams(sql));
  }

  exec(sql: string): void {
    this.query(sql, undefined, undefined);
  }

  /**
   * A transaction that loses its connection is rolled back by the server; the outermost one is then
   * run again from the start on a new connection (the tracker's transactions only touch the database,
   * and its writes are keyed: steps by run, metric and step), within the retry bound.
   */
  transaction<A extends unknown[], R>(fn: (...args: A) => R): SqlTransaction<A, R> {
    const once = (immediate: boolean, args: A): R => {
      const outer = this.depth === 0;
      const savepoint = `s${this.depth}`;
      if (outer) {
        this.send('BEGIN', undefined, undefined, true);
        if (immediate) this.send('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK], undefined, false);
      } else this.send(`SAVEPOINT ${savepoint}`, undefined, undefined, false);
      this.depth++;
      let result: R;
      try {
        result = fn(...args);
      } catch (err) {
        this.depth--;
        // With the connection gone the server has rolled the transaction back itself.
        if (!(err instanceof ConnectionLost)) {
          try {
            this.send(outer ? 'ROLLBACK' : `ROLLBACK TO SAVEPOINT ${savepoint}`, undefined, undefined, false);
          } catch {
            // Lost while rolling back: the server rolls back too.
          }
        }
        throw err;
      }
      this.depth--;
      // Never on a new connection: a COMMIT there would commit nothing and report success.
      this.send(outer ? 'COMMIT' : `RELEASE SAVEPOINT ${savepoint}`, undefined, undefined, false);
      return result;
    };
    const wrap = (immediate: boolean) => (...args: A): R => (this.depth === 0 ? retrying(() => once(immediate, args), this.retry) : once(immediate, args));
    return Object.assign(wrap(false), { immediate: wrap(true) });
  }

  close(): void {
    if (this.closed) return;
    try {
      this.call({ op: 'close' }, 10_000);
    } catch {
      // Closing a connection that is already gone leaves nothing to do.
    }
    this.terminate();
  }

  /** Runs one statement (`$n` placeholders) and returns its rows; outside a transaction, retried while the server is away. */
  query(sql: string, params: unknown[] | undefined, rowMode: 'array' | undefined): { rows: unknown[]; rowCount: number } {
    if (this.depth > 0) return this.send(sql, params, rowMode, false);
    return retrying(() => this.send(sql, params, rowMode, true), this.retry);
  }

  /** One statement, one try; `reconnect`: a lost connection may be replaced first (never inside a transaction). */
  private send(sql: string, params: unknown[] | undefined, rowMode: 'array' | undefined, reconnect: boolean): { rows: unknown[]; rowCount: number } {
    if (this.closed) throw new TrackerError('INVALID_ARGUMENT', `tracker database ${this.label} is closed`);
    const reply = this.call({ op: 'query', sql, params: params?.map(toParam), rowMode, reconnect }, this.statementTimeoutMs);
    return { rows: reply.rows ?? [], rowCount: reply.rowCount ?? 0 };
  }

  private call(message: Record<string, unknown>, timeoutMs: number): Reply {
    Atomics.store(this.flag, 0, 0);
    this.port.postMessage(message);
    if (Atomics.wait(this.flag, 0, 0, timeoutMs) === 'timed-out') {
      // The worker is stuck on a dead connection: nothing it answers later can be trusted.
      this.terminate();
      throw new TrackerError('DB_UNREACHABLE', `tracker database ${this.label} did not answer within ${Math.round(timeoutMs / 1000)} s`);
    }
    const reply = receiveMessageOnPort(this.port)?.message as Reply | undefined;
    if (!reply) throw new TrackerError('DB_UNREACHABLE', `tracker database ${this.label}: the connection thread ended`);
    if (!reply.ok) {
      // The connection thread tells a server that is away (worth retrying) from a failing statement.
      if (reply.code === 'CONNECTION_LOST') throw new ConnectionLost(reply.message ?? 'connection lost');
      throw Object.assign(new Error(reply.message), { code: reply.code });
    }
    return reply;
  }

  private terminate(): void {
    this.closed = true;
    this.port.close();
    void this.worker.terminate();
  }
}

class PgStatement implements SqlStatement {
  constructor(
    private readonly db: PostgresDatabase,
    private readonly sql: string,
    private readonly mode: 'object' | 'pluck' | 'raw' = 'object',
  ) {}

  pluck(): SqlStatement {
    return new PgStatement(this.db, this.sql, 'pluck');
  }

  raw(): SqlStatement {
    return new PgStatement(this.db, this.sql, 'raw');
  }

  run(...params: unknown[]): { changes: number } {
    return { changes: this.db.query(this.sql, flat(params), undefined).rowCount };
  }

  get(...params: unknown[]): unknown {
    return this.all(...params)[0];
  }

  all(...params: unknown[]): unknown[] {
    const rows = this.db.query(this.sql, flat(params), this.mode === 'object' ? undefined : 'array').rows;
    return this.mode === 'pluck' ? rows.map((r) => (r as unknown[])[0]) : rows;
  }
}

/** better-sqlite3 takes parameters spread or as one array; so does this. */
function flat(params: unknown[]): unknown[] {
  return params.length === 1 && Array.isArray(params[0]) ? (params[0] as unknown[]) : params;
}

function toParam(v: unknown): unknown {
  return v === undefined ? null : v;
}

/** `?` → `$1, $2, …`, leaving quoted strings and identifiers alone. */
export function toDollarParams(sql: string): string {
  let out = '';
  let n = 0;
  let quote: string | null = null;
  for (const ch of sql) {
    if (quote) {
      if (ch === quote) quote = null;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else out += ch === '?' ? `$${++n}` : ch;
  }
  return out;
}
