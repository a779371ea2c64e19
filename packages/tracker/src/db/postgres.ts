import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { TrackerError } from '../errors.js';
import type { DialectAware, SqlDatabase, SqlStatement, SqlTransaction } from './sql.js';

export interface PostgresOptions {
  /** How long to wait for the server to accept a connection (default 10 s). */
  connectTimeoutMs?: number;
  /** The longest one statement may take before the call fails (default 10 min). */
  statementTimeoutMs?: number;
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
  private depth = 0;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly label: string,
    options: PostgresOptions = {},
  ) {
    const shared = new SharedArrayBuffer(4);
    this.flag = new Int32Array(shared);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(new URL('./pg-worker.mjs', import.meta.url), { workerData: { port: port2, shared }, transferList: [port2] });
    // Never keeps the process alive: the tracker's handles end runs from exit hooks, synchronously.
    this.worker.unref();
    this.statementTimeoutMs = options.statementTimeoutMs ?? 600_000;
    const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    try {
      this.call({ op: 'connect', url, connectTimeoutMs }, connectTimeoutMs + 5_000);
    } catch (err) {
      this.terminate();
      throw new TrackerError('DB_UNREACHABLE', `cannot connect to tracker database ${label}: ${(err as Error).message}`, { cause: err });
    }
  }

  prepare(sql: string): SqlStatement {
    return new PgStatement(this, toDollarParams(sql));
  }

  exec(sql: string): void {
    this.query(sql, undefined, undefined);
  }

  transaction<A extends unknown[], R>(fn: (...args: A) => R): SqlTransaction<A, R> {
    const wrap = (immediate: boolean) => (...args: A): R => {
      const outer = this.depth === 0;
      const savepoint = `s${this.depth}`;
      if (outer) {
        this.query('BEGIN', undefined, undefined);
        if (immediate) this.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK], undefined);
      } else this.query(`SAVEPOINT ${savepoint}`, undefined, undefined);
      this.depth++;
      let result: R;
      try {
        result = fn(...args);
      } catch (err) {
        this.depth--;
        try {
          this.query(outer ? 'ROLLBACK' : `ROLLBACK TO SAVEPOINT ${savepoint}`, undefined, undefined);
        } catch {
          // The connection is gone: the server rolled the transaction back itself.
        }
        throw err;
      }
      this.depth--;
      this.query(outer ? 'COMMIT' : `RELEASE SAVEPOINT ${savepoint}`, undefined, undefined);
      return result;
    };
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

  /** Runs one statement (`$n` placeholders) and returns its rows. */
  query(sql: string, params: unknown[] | undefined, rowMode: 'array' | undefined): { rows: unknown[]; rowCount: number } {
    if (this.closed) throw new TrackerError('INVALID_ARGUMENT', `tracker database ${this.label} is closed`);
    const reply = this.call({ op: 'query', sql, params: params?.map(toParam), rowMode, reconnect: this.depth === 0 }, this.statementTimeoutMs);
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
      const lost = reply.code === 'CONNECTION_LOST' || reply.code === 'ECONNREFUSED' || reply.code === 'ECONNRESET' || reply.code === '57P01';
      if (lost) throw new TrackerError('DB_UNREACHABLE', `tracker database ${this.label}: ${reply.message}`);
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
