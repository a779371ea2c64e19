import { existsSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { openDatabaseAt, type OpenDatabaseOptions } from './db/open.js';
import type { PostgresOptions } from './db/postgres.js';
import { isPostgresUrl, type SqlDatabase } from './db/sql.js';
import { TrackerError } from './errors.js';
import * as q from './queries.js';
import { RunHandle, isRunOpenHere, type RunHandleOptions, type RunOwner } from './run.js';
import {
  RUN_KINDS,
  type ArtifactRecord,
  type ArtifactSpec,
  type ComputeRow,
  type ComputeTotals,
  type CurveRow,
  type EvaluationRow,
  type ExperimentRecord,
  type ExperimentRef,
  type ExperimentSpec,
  type ExperimentSummary,
  type MetricPoint,
  type RunFilter,
  type RunKind,
  type RunRecord,
  type RunSpec,
  type Table,
} from './types.js';
import { hashFile } from './util/hash.js';
import { detectGitRevision, pidAlive } from './util/host.js';
import { canonicalLambda, describe, flagOf, toJson, ValueFlag } from './util/values.js';
import { Writer } from './writer.js';

export interface TrackerOptions extends OpenDatabaseOptions, PostgresOptions {
  /** A `running` run whose heartbeat is older than this is marked `crashed` on open (default 2 min). */
  staleAfterMs?: number;
  /** Rows buffered per run before a write (default 5,000). */
  batchSize?: number;
  /** Longest time rows wait in memory, and the heartbeat period (default 1 s). */
  flushIntervalMs?: number;
}

/**
 * Opens (creating and migrating as needed) the tracker database at `path`: an SQLite file, or a
 * PostgreSQL database named by a `postgres://user:password@host:port/database` URL (same schema,
 * queries and run states; for trackers shared by several machines).
 */
export function openTracker(path: string, options: TrackerOptions = {}): Tracker {
  return new Tracker(path, options);
}

/**
 * The experiment store. One per process and database is enough; several processes may write to the
 * same database at once (SQLite: WAL, immediate transactions, busy timeout; PostgreSQL: the same
 * transactions serialised by an advisory lock).
 */
export class Tracker implements RunOwner {
  /** The SQLite file (absolute) or the PostgreSQL URL without its password. */
  readonly path: string;
  readonly writer: Writer;
  private readonly db: SqlDatabase;
  private readonly open = new Set<RunHandle>();
  private readonly runOptions: RunHandleOptions;
  private readonly staleAfterMs: number;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(path: string, options: TrackerOptions = {}) {
    const url = typeof path === 'string' && isPostgresUrl(path);
    this.path = path === ':memory:' || url ? path : resolve(path);
    this.runOptions = {
      batchSize: positiveInt(options.batchSize ?? 5_000, 'batchSize'),
      flushIntervalMs: positiveInt(options.flushIntervalMs ?? 1_000, 'flushIntervalMs'),
    };
    this.staleAfterMs = positiveInt(options.staleAfterMs ?? 120_000, 'staleAfterMs');
    const opened = openDatabaseAt(this.path, options);
    this.db = opened.db;
    // A URL is shown (and keys this process's open runs) without its password.
    this.path = opened.label;
    this.writer = new Writer(this.db);
    this.sweepCrashed();
  }

  // ---- experiments -------------------------------------------------------------------------

  createExperiment(spec: ExperimentSpec): ExperimentRecord {
    this.assertOpen();
    checkName(spec?.name, 'experiment name');
    if (q.findExperiment(this.db, spec.name)) {
      throw new TrackerError('DUPLICATE', `experiment ${JSON.stringify(spec.name)} already exists`);
    }
    const id = this.db
      .prepare(`INSERT INTO experiments (name, task, description, config, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`)
      .pluck()
      .get(spec.name, spec.task ?? null, spec.description ?? null, toJson(spec.config ?? null, 'experiment config'), Date.now()) as number;
    return q.getExperiment(this.db, id);
  }

  /** The experiment with this name, created from `spec` if it does not exist yet (for resuming). */
  ensureExperiment(spec: ExperimentSpec): ExperimentRecord {
    this.assertOpen();
    checkName(spec?.name, 'experiment name');
    return this.db
      .transaction(() => q.findExperiment(this.db, spec.name) ?? this.createExperiment(spec))
      .immediate();
  }

  getExperiment(ref: ExperimentRef): ExperimentRecord {
    return q.getExperiment(this.db, ref);
  }

  findExperiment(ref: ExperimentRef): ExperimentRecord | undefined {
    return q.findExperiment(this.db, ref);
  }

  listExperiments(): ExperimentSummary[] {
    return q.listExperiments(this.db);
  }

  // ---- runs ----------------------------------------------------------------------------------

  /** Records a new run (status `running`) and returns its handle, a MetricSink. */
  startRun(spec: RunSpec): RunHandle {
    this.assertOpen();
    const exp = q.getExperiment(this.db, spec?.experiment);
    checkName(spec.name, 'run name');
    if (!RUN_KINDS.includes(spec.kind)) {
      throw new TrackerError('INVALID_ARGUMENT', `run kind must be one of ${RUN_KINDS.join(', ')}, got ${describe(spec.kind)}`);
    }
    if (spec.seed !== undefined && !Number.isSafeInteger(spec.seed)) {
      throw new TrackerError('INVALID_ARGUMENT', `run seed must be an integer, got ${describe(spec.seed)}`);
    }
    const lambda = spec.lambda === undefined ? null : canonicalLambda(spec.lambda, 'run lambda');
    const now = Date.now();
    const gitRevision = spec.gitRevision === undefined ? detectGitRevision() : spec.gitRevision;
    const id = this.db
      .transaction(() => {
        if (this.db.prepare(`SELECT 1 FROM runs WHERE experiment_id = ? AND name = ?`).get(exp.id, spec.name)) {
          throw new TrackerError(
            'DUPLICATE',
            `experiment ${JSON.stringify(exp.name)} already has a run named ${JSON.stringify(spec.name)}; resume it with resumeRun()`,
          );
        }
        const runId = this.db
          .prepare(
            `INSERT INTO runs (experiment_id, name, kind, status, lambda, config, seed, backend, git_revision, host, pid,
               started_at, heartbeat_at)
             VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
          )
          .pluck()
          .get(
            exp.id,
            spec.name,
            spec.kind,
            lambda,
            toJson(spec.config ?? null, 'run config'),
            spec.seed ?? null,
            spec.backend ?? null,
            gitRevision,
            hostname(),
            process.pid,
            now,
            now,
          ) as number;
        if (spec.tags) this.addTags(runId, spec.tags);
        if (spec.params) this.logParams(runId, spec.params);
        return runId;
      })
      .immediate();
    return this.adopt(q.getRun(this.db, id));
  }

  /**
   * Reopens an ended (or crashed) run to continue training it. With `fromStep`, step metrics after
   * that step are deleted first: they will be logged again from the checkpoint. With `takeOver`, a
   * run that still looks alive is taken as well: the caller holds an authority over who trains it
   * (a job queue's lock that its last holder lost), and the lease keeps the old handle from writing.
   */
  resumeRun(runId: number, options: { fromStep?: number; takeOver?: boolean } = {}): RunHandle {
    this.assertOpen();
    const fromStep = options.fromStep;
    if (fromStep !== undefined && (!Number.isSafeInteger(fromStep) || fromStep < 0)) {
      throw new TrackerError('INVALID_ARGUMENT', `fromStep must be a non-negative integer, got ${describe(fromStep)}`);
    }
    this.db
      .transaction(() => {
        const run = q.getRun(this.db, runId);
        if (run.status === 'running' && !options.takeOver && this.ownerAlive(run, Date.now())) {
          throw new TrackerError('RUN_ACTIVE', `run ${runId} (${run.name}) is still running (pid ${run.pid} on ${run.host})`);
        }
        if (fromStep !== undefined) {
          this.db.prepare(`DELETE FROM metric_steps WHERE run_id = ? AND step > ?`).run(runId, fromStep);
        }
        const now = Date.now();
        this.db
          .prepare(
            // The heartbeat always moves on (even within the same millisecond): it is the owner's
            // lease, and the handle that held the run before must find it changed.
            `UPDATE runs SET status = 'running', ended_at = NULL, error = NULL, host = ?, pid = ?, heartbeat_at = CASE WHEN ? > heartbeat_at THEN ? ELSE heartbeat_at + 1 END,
               last_step = (SELECT max(step) FROM metric_steps WHERE run_id = ?)
             WHERE id = ?`,
          )
          .run(hostname(), process.pid, now, now, runId, runId);
      })
      .immediate();
    return this.adopt(q.getRun(this.db, runId));
  }

  getRun(runId: number): RunRecord {
    return q.getRun(this.db, runId);
  }

  listRuns(filter: RunFilter = {}): RunRecord[] {
    return q.listRuns(this.db, filter);
  }

  /**
   * Marks `running` runs whose process is gone as `crashed`: on this host when the pid no longer
   * exists, anywhere when the heartbeat is older than `staleAfterMs`. Runs on open; returns the ids.
   */
  sweepCrashed(now = Date.now()): number[] {
    this.assertOpen();
    const running = q.listRuns(this.db, { status: 'running' });
    const dead = running.filter((r) => !this.ownerAlive(r, now));
    const mark = this.db.prepare(
      `UPDATE runs SET status = 'crashed', ended_at = heartbeat_at, error = ? WHERE id = ? AND status = 'running' AND heartbeat_at = ?`,
    );
    const marked: number[] = [];
    this.db
      .transaction(() => {
        // Run again from the start if the connection is lost midway (PostgreSQL).
        marked.length = 0;
        for (const r of dead) {
          const why =
            r.host === hostname() && (r.pid === process.pid || !pidAlive(r.pid))
              ? `process ${r.pid} on ${r.host} ended without recording the end of the run`
              : `no heartbeat since ${new Date(r.heartbeatAt).toISOString()} (process ${r.pid} on ${r.host})`;
          // heartbeat_at in the condition: a run that wrote meanwhile is alive after all.
          if (mark.run(why, r.id, r.heartbeatAt).changes) marked.push(r.id);
        }
      })
      .immediate();
    return marked;
  }

  // ---- writes addressed by run id (also used by run handles) --------------------------------

  logParams(runId: number, params: Record<string, unknown>): void {
    this.assertOpen();
    if (params === null || typeof params !== 'object' || Array.isArray(params)) {
      throw new TrackerError('INVALID_ARGUMENT', `params must be an object of name → JSON value, got ${describe(params)}`);
    }
    const rows = Object.entries(params).map(([k, v]) => [k, toJson(v, `param ${JSON.stringify(k)}`)] as const);
    const upsert = this.db.prepare(
      `INSERT INTO params (run_id, key, value) VALUES (?, ?, ?) ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value`,
    );
    this.db
      .transaction(() => {
        q.getRun(this.db, runId);
        for (const [k, v] of rows) upsert.run(runId, k, v);
      })
      .immediate();
  }

  addTags(runId: number, tags: string[]): void {
    this.assertOpen();
    if (!Array.isArray(tags)) throw new TrackerError('INVALID_ARGUMENT', `tags must be an array of strings, got ${describe(tags)}`);
    for (const t of tags) checkName(t, 'tag');
    const ins = this.db.prepare(`INSERT INTO tags (run_id, tag) VALUES (?, ?) ON CONFLICT DO NOTHING`);
    this.db
      .transaction(() => {
        q.getRun(this.db, runId);
        for (const t of tags) ins.run(runId, t);
      })
      .immediate();
  }

  /** Held-out evaluation of the run's model at coefficient vector `lambda`; re-logging replaces. */
  logEvaluation(runId: number, lambda: Record<string, number>, values: Record<string, number>): void {
    this.assertOpen();
    const lambdaJson = canonicalLambda(lambda);
    if (values === null || typeof values !== 'object') {
      throw new TrackerError('INVALID_ARGUMENT', `evaluation values must be an object of metric → number, got ${describe(values)}`);
    }
    const entries = Object.entries(values);
    for (const [k, v] of entries) {
      if (typeof v !== 'number') throw new TrackerError('INVALID_ARGUMENT', `evaluation metric "${k}" must be a number, got ${describe(v)}`);
    }
    const upsert = this.db.prepare(
      `INSERT INTO evaluations (run_id, lambda, metric, value, flag, created_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, lambda, metric) DO UPDATE SET value = excluded.value, flag = excluded.flag, created_at = excluded.created_at`,
    );
    const now = Date.now();
    this.db
      .transaction(() => {
        q.getRun(this.db, runId);
        for (const [k, v] of entries) {
          const flag = flagOf(v);
          upsert.run(runId, lambdaJson, k, flag === ValueFlag.Finite ? v : null, flag, now);
        }
      })
      .immediate();
  }

  /**
   * Records a file (checkpoint, image, report) with its sha256 and size, for an experiment or one
   * of its runs. The path is stored absolute and is unique within the experiment: logging the same
   * path again replaces that record (new sha256, size, kind, meta and run).
   */
  logArtifact(spec: ArtifactSpec & { experiment?: ExperimentRef; runId?: number }): ArtifactRecord {
    this.assertOpen();
    checkName(spec?.kind, 'artifact kind');
    if (typeof spec.path !== 'string' || spec.path.length === 0) {
      throw new TrackerError('INVALID_ARGUMENT', `artifact path must be a non-empty string, got ${describe(spec.path)}`);
    }
    const path = resolve(spec.path);
    if (!existsSync(path) || !statSync(path).isFile()) {
      throw new TrackerError('INVALID_ARGUMENT', `artifact ${path} does not exist or is not a file`);
    }
    let experimentId: number;
    if (spec.runId !== undefined) {
      experimentId = q.getRun(this.db, spec.runId).experimentId;
      if (spec.experiment !== undefined && q.getExperiment(this.db, spec.experiment).id !== experimentId) {
        throw new TrackerError('INVALID_ARGUMENT', `run ${spec.runId} does not belong to experiment ${JSON.stringify(spec.experiment)}`);
      }
    } else if (spec.experiment !== undefined) {
      experimentId = q.getExperiment(this.db, spec.experiment).id;
    } else {
      throw new TrackerError('INVALID_ARGUMENT', `an artifact needs an experiment or a runId`);
    }
    const { sha256, size } = hashFile(path);
    const meta = toJson(spec.meta ?? null, 'artifact meta');
    // One record per file: logging a path again (a redrawn picture) replaces its record in place.
    const id = this.db
      .transaction(() => {
        const ids = this.db.prepare(`SELECT id FROM artifacts WHERE experiment_id = ? AND path = ? ORDER BY id`).pluck().all(experimentId, path) as number[];
        if (ids.length === 0) {
          return this.db
            .prepare(`INSERT INTO artifacts (experiment_id, run_id, path, kind, sha256, size, meta, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`)
            .pluck()
            .get(experimentId, spec.runId ?? null, path, spec.kind, sha256, size, meta, Date.now()) as number;
        }
        this.db
          .prepare(`UPDATE artifacts SET run_id = ?, kind = ?, sha256 = ?, size = ?, meta = ?, created_at = ? WHERE id = ?`)
          .run(spec.runId ?? null, spec.kind, sha256, size, meta, Date.now(), ids[0]);
        // Duplicates written before records were replaced.
        const drop = this.db.prepare(`DELETE FROM artifacts WHERE id = ?`);
        for (const dup of ids.slice(1)) drop.run(dup);
        return ids[0];
      })
      .immediate();
    return q.listArtifacts(this.db, experimentId).find((a) => a.id === id)!;
  }

  // ---- queries ---------------------------------------------------------------------------------

  params(runId: number): Record<string, unknown> {
    return q.runParams(this.db, runId);
  }

  metricKeys(runId: number): string[] {
    return q.metricKeys(this.db, runId);
  }

  latestMetrics(runId: number): Record<string, MetricPoint> {
    return q.latestMetrics(this.db, runId);
  }

  metricHistory(runId: number, key: string): MetricPoint[] {
    return q.metricHistory(this.db, runId, key);
  }

  learningCurves(experiment: ExperimentRef, options?: { keys?: string[]; maxPoints?: number; runIds?: number[] }): CurveRow[] {
    return q.learningCurves(this.db, experiment, options);
  }

  evaluationPoints(experiment: ExperimentRef, options?: { metric?: string; kind?: RunKind; runIds?: number[] }): EvaluationRow[] {
    return q.evaluationPoints(this.db, experiment, options);
  }

  evaluationTable(experiment: ExperimentRef, options?: { runIds?: number[] }): Table {
    return q.evaluationTable(this.db, experiment, options);
  }

  compareRuns(runIds: number[]): Table {
    return q.compareRuns(this.db, runIds);
  }

  computeSummary(experiment: ExperimentRef, options?: { runIds?: number[] }): { runs: ComputeRow[]; totals: ComputeTotals[] } {
    return q.computeSummary(this.db, experiment, options);
  }

  listArtifacts(experiment: ExperimentRef, options?: { kind?: string; runId?: number; runIds?: number[] }): ArtifactRecord[] {
    return q.listArtifacts(this.db, experiment, options);
  }

  // ---- lifetime --------------------------------------------------------------------------------

  /** Writes every open run's buffered rows now. */
  flush(): void {
    for (const h of this.open) h.flush();
  }

  /**
   * Closes the database. Runs still open are written and marked `failed` ("tracker closed before the
   * run finished"): a run must be finished explicitly to count as finished.
   */
  close(): void {
    if (this.closed) return;
    for (const h of [...this.open]) h.terminate('failed', 'tracker closed before the run finished');
    this.closed = true;
    this.stopTimer();
    this.db.close();
  }

  releaseRun(handle: RunHandle): void {
    this.open.delete(handle);
    if (this.open.size === 0) this.stopTimer();
  }

  private adopt(record: RunRecord): RunHandle {
    const h = new RunHandle(this, record, this.runOptions);
    this.open.add(h);
    if (!this.timer) {
      // Flushes rows of runs that log rarely and keeps heartbeats fresh; never keeps Node alive.
      this.timer = setInterval(() => {
        for (const run of this.open) run.tick();
      }, this.runOptions.flushIntervalMs);
      this.timer.unref();
    }
    return h;
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private ownerAlive(r: RunRecord, now: number): boolean {
    if (r.host === hostname()) {
      // Our own pid: alive exactly when this process holds the run open (pids get reused, e.g. pid 1
      // in every container).
      if (r.pid === process.pid) return isRunOpenHere(this.path, r.id);
      if (!pidAlive(r.pid)) return false;
    }
    return now - r.heartbeatAt <= this.staleAfterMs;
  }

  private assertOpen(): void {
    if (this.closed) throw new TrackerError('INVALID_ARGUMENT', `tracker ${this.path} is closed`);
  }
}

function checkName(v: unknown, what: string): asserts v is string {
  if (typeof v !== 'string' || v.trim().length === 0) {
    throw new TrackerError('INVALID_ARGUMENT', `${what} must be a non-empty string, got ${describe(v)}`);
  }
}

function positiveInt(v: number, what: string): number {
  if (!Number.isSafeInteger(v) || v <= 0) throw new TrackerError('INVALID_ARGUMENT', `${what} must be a positive integer, got ${describe(v)}`);
  return v;
}
