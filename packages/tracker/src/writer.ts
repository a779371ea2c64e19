import type { Database, Statement, Transaction } from 'better-sqlite3';
import { ValueFlag, flagOf } from './util/values.js';
import type { RunStatus } from './types.js';

/** Step metrics waiting for the next transaction, as parallel arrays (cheap to fill per step). */
export class StepBuffer {
  keys: string[] = [];
  steps: number[] = [];
  values: number[] = [];
  times: number[] = [];
  get length(): number {
    return this.keys.length;
  }
  push(key: string, step: number, value: number, time: number): void {
    this.keys.push(key);
    this.steps.push(step);
    this.values.push(value);
    this.times.push(time);
  }
  clear(): void {
    this.keys = [];
    this.steps = [];
    this.values = [];
    this.times = [];
  }
}

export interface RunProgress {
  now: number;
  elapsedMs: number;
  lastStep: number | null;
}

const ROWS_PER_INSERT = 64;

/**
 * Owns the write statements of one connection. Every write is one IMMEDIATE transaction: it takes
 * the write lock up front, so concurrent writers queue on the busy timeout instead of failing with
 * SQLITE_BUSY when a read lock would have to be upgraded.
 */
export class Writer {
  private readonly keyIds = new Map<string, number>();
  private readonly insertOne: Statement;
  private readonly insertMany: Statement;
  private readonly insertKey: Statement;
  private readonly selectKey: Statement;
  private readonly progress: Statement;
  private readonly close: Statement;
  private readonly writeStepsTx: Transaction<(runId: number, buf: StepBuffer, p: RunProgress, end: EndState | null) => Map<string, number>>;

  constructor(readonly db: Database) {
    const cols = '(run_id, key_id, step, value, flag, time)';
    this.insertOne = db.prepare(`INSERT OR REPLACE INTO metric_steps ${cols} VALUES (?, ?, ?, ?, ?, ?)`);
    // Binding many rows per statement call cuts the per-row overhead of the JS ↔ SQLite boundary.
    const many = Array.from({ length: ROWS_PER_INSERT }, () => '(?, ?, ?, ?, ?, ?)').join(', ');
    this.insertMany = db.prepare(`INSERT OR REPLACE INTO metric_steps ${cols} VALUES ${many}`);
    this.insertKey = db.prepare(`INSERT INTO metric_keys (key) VALUES (?) ON CONFLICT (key) DO NOTHING`);
    this.selectKey = db.prepare(`SELECT id FROM metric_keys WHERE key = ?`).pluck();
    // A run marked crashed by another process's sweep while it was merely slow comes back to life.
    this.progress = db.prepare(
      `UPDATE runs SET heartbeat_at = @now, elapsed_ms = @elapsedMs,
         last_step = CASE WHEN @lastStep IS NULL THEN last_step ELSE max(coalesce(last_step, @lastStep), @lastStep) END,
         status = CASE WHEN status = 'crashed' THEN 'running' ELSE status END,
         ended_at = CASE WHEN status = 'crashed' THEN NULL ELSE ended_at END
       WHERE id = @id`,
    );
    this.close = db.prepare(`UPDATE runs SET status = @status, ended_at = @now, error = @error WHERE id = @id`);
    this.writeStepsTx = db.transaction((runId: number, buf: StepBuffer, p: RunProgress, end: EndState | null) => {
      const fresh = new Map<string, number>();
      this.insertRows(runId, buf, fresh);
      this.progress.run({ id: runId, now: p.now, elapsedMs: Math.round(p.elapsedMs), lastStep: p.lastStep });
      if (end) this.close.run({ id: runId, now: p.now, status: end.status, error: end.error });
      // Only after commit do new key ids become visible to the cache (a rollback would undo them).
      return fresh;
    });
  }

  /** Writes buffered rows and the run's progress (and its end, if given) in one transaction. */
  writeSteps(runId: number, buf: StepBuffer, p: RunProgress, end: EndState | null = null): void {
    const fresh = this.writeStepsTx.immediate(runId, buf, p, end);
    for (const [k, id] of fresh) this.keyIds.set(k, id);
  }

  private keyId(key: string, fresh: Map<string, number>): number {
    let id = this.keyIds.get(key) ?? fresh.get(key);
    if (id === undefined) {
      this.insertKey.run(key);
      id = this.selectKey.get(key) as number;
      fresh.set(key, id);
    }
    return id;
  }

  private insertRows(runId: number, buf: StepBuffer, fresh: Map<string, number>): void {
    const n = buf.length;
    const args: unknown[] = new Array(ROWS_PER_INSERT * 6);
    let i = 0;
    for (; i + ROWS_PER_INSERT <= n; i += ROWS_PER_INSERT) {
      for (let j = 0; j < ROWS_PER_INSERT; j++) this.fill(args, j * 6, runId, buf, i + j, fresh);
      this.insertMany.run(args);
    }
    const one: unknown[] = new Array(6);
    for (; i < n; i++) {
      this.fill(one, 0, runId, buf, i, fresh);
      this.insertOne.run(one);
    }
  }

  private fill(out: unknown[], o: number, runId: number, buf: StepBuffer, i: number, fresh: Map<string, number>): void {
    const v = buf.values[i];
    const flag = flagOf(v);
    out[o] = runId;
    out[o + 1] = this.keyId(buf.keys[i], fresh);
    out[o + 2] = buf.steps[i];
    out[o + 3] = flag === ValueFlag.Finite ? v : null;
    out[o + 4] = flag;
    out[o + 5] = buf.times[i];
  }
}

export interface EndState {
  status: Exclude<RunStatus, 'running'>;
  error: string | null;
}
