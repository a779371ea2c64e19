import type { SqlDatabase } from './db/sql.js';
import { TrackerError } from './errors.js';
import {
  EXPERIMENT_COLUMNS,
  runColumns,
  RUN_FROM,
  toArtifact,
  toExperiment,
  toRun,
  type ArtifactRow,
  type ExperimentRow,
  type RunRow,
} from './records.js';
import {
  RUN_KINDS,
  RUN_STATUSES,
  type ArtifactRecord,
  type ComputeRow,
  type ComputeTotals,
  type CurveRow,
  type EvaluationRow,
  type ExperimentRecord,
  type ExperimentRef,
  type ExperimentSummary,
  type MetricPoint,
  type RunFilter,
  type RunKind,
  type RunRecord,
  type RunStatus,
  type Table,
} from './types.js';
import { describe, restoreValue } from './util/values.js';

/** Read-only queries. Everything the CLI shows and every report is built from these. */

export function findExperiment(db: SqlDatabase, ref: ExperimentRef): ExperimentRecord | undefined {
  checkRef(ref);
  const where = typeof ref === 'number' ? 'e.id = ?' : 'e.name = ?';
  const row = db.prepare(`SELECT ${EXPERIMENT_COLUMNS} FROM experiments e WHERE ${where}`).get(ref) as ExperimentRow | undefined;
  return row && toExperiment(row);
}

export function getExperiment(db: SqlDatabase, ref: ExperimentRef): ExperimentRecord {
  const e = findExperiment(db, ref);
  if (!e) {
    const known = (db.prepare(`SELECT name FROM experiments ORDER BY id LIMIT 20`).pluck().all() as string[]).join(', ');
    throw new TrackerError(
      'UNKNOWN_EXPERIMENT',
      `unknown experiment ${typeof ref === 'number' ? `id ${ref}` : JSON.stringify(ref)}; known: ${known || '(none)'}`,
    );
  }
  return e;
}

export function listExperiments(db: SqlDatabase): ExperimentSummary[] {
  const rows = db.prepare(`SELECT ${EXPERIMENT_COLUMNS} FROM experiments e ORDER BY e.id`).all() as ExperimentRow[];
  const counts = db
    .prepare(`SELECT experiment_id AS id, kind, status, count(*) AS n FROM runs GROUP BY experiment_id, kind, status`)
    .all() as { id: number; kind: RunKind; status: RunStatus; n: number }[];
  return rows.map((r) => {
    const mine = counts.filter((c) => c.id === r.id);
    const byStatus: Partial<Record<RunStatus, number>> = {};
    const byKind: Partial<Record<RunKind, number>> = {};
    for (const c of mine) {
      byStatus[c.status] = (byStatus[c.status] ?? 0) + c.n;
      byKind[c.kind] = (byKind[c.kind] ?? 0) + c.n;
    }
    return { ...toExperiment(r), runs: mine.reduce((s, c) => s + c.n, 0), byStatus, byKind };
  });
}

export function getRun(db: SqlDatabase, id: number): RunRecord {
  if (!Number.isSafeInteger(id)) throw new TrackerError('INVALID_ARGUMENT', `run id must be an integer, got ${describe(id)}`);
  const row = db.prepare(`SELECT ${runColumns(db)} FROM ${RUN_FROM} WHERE r.id = ?`).get(id) as RunRow | undefined;
  if (!row) throw new TrackerError('UNKNOWN_RUN', `unknown run id ${id}`);
  return toRun(row);
}

export function listRuns(db: SqlDatabase, filter: RunFilter = {}): RunRecord[] {
  const where: string[] = [];
  const args: unknown[] = [];
  if (filter.experiment !== undefined) {
    where.push('r.experiment_id = ?');
    args.push(getExperiment(db, filter.experiment).id);
  }
  if (filter.kind !== undefined) {
    if (!RUN_KINDS.includes(filter.kind)) {
      throw new TrackerError('INVALID_ARGUMENT', `run kind must be one of ${RUN_KINDS.join(', ')}, got ${describe(filter.kind)}`);
    }
    where.push('r.kind = ?');
    args.push(filter.kind);
  }
  if (filter.status !== undefined) {
    const statuses = Array.isArray(filter.status) ? filter.status : [filter.status];
    for (const s of statuses) {
      if (!RUN_STATUSES.includes(s)) {
        throw new TrackerError('INVALID_ARGUMENT', `run status must be one of ${RUN_STATUSES.join(', ')}, got ${describe(s)}`);
      }
    }
    where.push(`r.status IN (${statuses.map(() => '?').join(', ') || 'NULL'})`);
    args.push(...statuses);
  }
  if (filter.tag !== undefined) {
    where.push('EXISTS (SELECT 1 FROM tags t WHERE t.run_id = r.id AND t.tag = ?)');
    args.push(filter.tag);
  }
  if (filter.name !== undefined) {
    where.push('r.name = ?');
    args.push(filter.name);
  }
  if (filter.ids !== undefined) {
    const ids = checkIds(filter.ids);
    where.push(`r.id IN (${placeholders(ids)})`);
    args.push(...ids);
  }
  const sql = `SELECT ${runColumns(db)} FROM ${RUN_FROM} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY r.id`;
  return (db.prepare(sql).all(...args) as RunRow[]).map(toRun);
}

export function runParams(db: SqlDatabase, runId: number): Record<string, unknown> {
  getRun(db, runId);
  const rows = db.prepare(`SELECT key, value FROM params WHERE run_id = ? ORDER BY key`).all(runId) as { key: string; value: string }[];
  return Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value)]));
}

export function metricKeys(db: SqlDatabase, runId: number): string[] {
  getRun(db, runId);
  return db
    .prepare(`SELECT k.key FROM metric_keys k WHERE EXISTS (SELECT 1 FROM metric_steps m WHERE m.run_id = ? AND m.key_id = k.id) ORDER BY k.key`)
    .pluck()
    .all(runId) as string[];
}

/** The value of each metric at its highest logged step. */
export function latestMetrics(db: SqlDatabase, runId: number): Record<string, MetricPoint> {
  getRun(db, runId);
  const rows = db
    .prepare(
      `SELECT k.key, m.step, m.value, m.flag, m.time
       FROM metric_keys k JOIN metric_steps m ON m.key_id = k.id AND m.run_id = ?
       WHERE m.step = (SELECT max(step) FROM metric_steps x WHERE x.run_id = m.run_id AND x.key_id = m.key_id)
       ORDER BY k.key`,
    )
    .all(runId) as { key: string; step: number; value: number | null; flag: number; time: number }[];
  return Object.fromEntries(rows.map((r) => [r.key, { step: r.step, value: restoreValue(r.value, r.flag), time: r.time }]));
}

/** Every logged point of one metric, in step order. */
export function metricHistory(db: SqlDatabase, runId: number, key: string): MetricPoint[] {
  getRun(db, runId);
  const rows = db
    .prepare(
      `SELECT m.step, m.value, m.flag, m.time FROM metric_steps m JOIN metric_keys k ON k.id = m.key_id
       WHERE m.run_id = ? AND k.key = ? ORDER BY m.step`,
    )
    .all(runId, key) as { step: number; value: number | null; flag: number; time: number }[];
  return rows.map((r) => ({ step: r.step, value: restoreValue(r.value, r.flag), time: r.time }));
}

/**
 * Learning curves of an experiment's runs, at most `maxPoints` buckets per (run, metric): bucket b
 * holds the steps with ⌊(step − first) · maxPoints / (last − first + 1)⌋ = b and reports their mean.
 * Each bucket is one range query on the (run, metric, step) primary key, so a million logged rows
 * are averaged inside SQLite and never cross into JavaScript as rows (a GROUP BY over a computed
 * bucket would sort them all first: ~3× slower, measured).
 */
export function learningCurves(
  db: SqlDatabase,
  experiment: ExperimentRef,
  options: { keys?: string[]; maxPoints?: number; runIds?: number[] } = {},
): CurveRow[] {
  const exp = getExperiment(db, experiment);
  const scope = runScope(db, exp, options.runIds, 'id');
  const maxPoints = options.maxPoints ?? 300;
  if (!Number.isSafeInteger(maxPoints) || maxPoints < 1) {
    throw new TrackerError('INVALID_ARGUMENT', `maxPoints must be a positive integer, got ${describe(maxPoints)}`);
  }
  const runs = db.prepare(`SELECT id, name, kind FROM runs WHERE experiment_id = ? ${scope.sql} ORDER BY id`).all(exp.id, ...scope.args) as { id: number; name: string; kind: RunKind }[];
  let keys = db.prepare(`SELECT id, key FROM metric_keys ORDER BY key`).all() as { id: number; key: string }[];
  if (options.keys) keys = keys.filter((k) => options.keys!.includes(k.key));
  // Separate first/last queries: SQLite's min/max shortcut only applies to a lone aggregate.
  const first = db.prepare(`SELECT step FROM metric_steps WHERE run_id = ? AND key_id = ? ORDER BY step LIMIT 1`).pluck();
  const last = db.prepare(`SELECT step FROM metric_steps WHERE run_id = ? AND key_id = ? ORDER BY step DESC LIMIT 1`).pluck();
  const all = db.prepare(`SELECT step, value, flag FROM metric_steps WHERE run_id = ? AND key_id = ? ORDER BY step`).raw();
  const bucket = db
    .prepare(
      `SELECT avg(step), avg(value), min(value), max(value), count(*), sum(CASE WHEN flag <> 0 THEN 1 ELSE 0 END)
       FROM metric_steps WHERE run_id = ? AND key_id = ? AND step >= ? AND step < ?`,
    )
    .raw();
  const out: CurveRow[] = [];
  for (const run of runs) {
    for (const key of keys) {
      const lo = first.get(run.id, key.id) as number | undefined;
      if (lo === undefined) continue;
      const span = (last.get(run.id, key.id) as number) - lo + 1;
      const base = { runId: run.id, run: run.name, kind: run.kind, key: key.key };
      if (span <= maxPoints) {
        // At most one logged step per bucket: the rows are the curve.
        for (const [step, value, flag] of all.all(run.id, key.id) as [number, number | null, number][]) {
          const v = restoreValue(value, flag);
          const finite = Number.isFinite(v);
          out.push({ ...base, step, value: finite ? v : Number.NaN, min: finite ? v : Number.NaN, max: finite ? v : Number.NaN, count: 1, nonFinite: finite ? 0 : 1 });
        }
        continue;
      }
      for (let b = 0; b < maxPoints; b++) {
        const from = lo + Math.ceil((b * span) / maxPoints);
        const to = lo + Math.ceil(((b + 1) * span) / maxPoints);
        const [step, value, mn, mx, n, nf] = bucket.get(run.id, key.id, from, to) as [number | null, number | null, number | null, number | null, number, number | null];
        if (n === 0) continue;
        out.push({ ...base, step: step!, value: value ?? Number.NaN, min: mn ?? Number.NaN, max: mx ?? Number.NaN, count: n, nonFinite: nf ?? 0 });
      }
    }
  }
  return out;
}

/** All evaluation points of an experiment as tidy rows (one per run × λ × metric). */
export function evaluationPoints(
  db: SqlDatabase,
  experiment: ExperimentRef,
  options: { metric?: string; kind?: RunKind; runIds?: number[] } = {},
): EvaluationRow[] {
  const exp = getExperiment(db, experiment);
  const scope = runScope(db, exp, options.runIds, 'r.id');
  const where = [`r.experiment_id = ? ${scope.sql}`];
  const args: unknown[] = [exp.id, ...scope.args];
  if (options.metric !== undefined) {
    where.push('v.metric = ?');
    args.push(options.metric);
  }
  if (options.kind !== undefined) {
    where.push('r.kind = ?');
    args.push(options.kind);
  }
  const rows = db
    .prepare(
      `SELECT r.id AS run_id, r.name AS run, r.kind, v.lambda, v.metric, v.value, v.flag
       FROM evaluations v JOIN runs r ON r.id = v.run_id
       WHERE ${where.join(' AND ')}`,
    )
    .all(...args) as { run_id: number; run: string; kind: RunKind; lambda: string; metric: string; value: number | null; flag: number }[];
  const out = rows.map((r) => ({
    experiment: exp.name,
    runId: r.run_id,
    run: r.run,
    kind: r.kind,
    lambda: JSON.parse(r.lambda) as Record<string, number>,
    metric: r.metric,
    value: restoreValue(r.value, r.flag),
  }));
  // Numeric λ order (SQL could only sort the JSON text, where "16" < "2").
  return out.sort((a, b) => a.runId - b.runId || compareLambda(a.lambda, b.lambda) || a.metric.localeCompare(b.metric));
}

function compareLambda(a: Record<string, number>, b: Record<string, number>): number {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const k of keys) {
    const d = (a[k] ?? -Infinity) - (b[k] ?? -Infinity);
    if (d) return d;
  }
  return 0;
}

/** Evaluation points pivoted wide: one row per (run, λ), a column per λ term and per metric. */
export function evaluationTable(db: SqlDatabase, experiment: ExperimentRef, options: { runIds?: number[] } = {}): Table {
  const points = evaluationPoints(db, experiment, options);
  const lambdaKeys = new Set<string>();
  const metrics = new Set<string>();
  const rows = new Map<string, Record<string, unknown>>();
  for (const p of points) {
    const id = `${p.runId}\u0000${JSON.stringify(p.lambda)}`;
    let row = rows.get(id);
    if (!row) {
      row = { run: p.run, kind: p.kind };
      for (const [k, v] of Object.entries(p.lambda)) {
        lambdaKeys.add(k);
        row[`lambda.${k}`] = v;
      }
      rows.set(id, row);
    }
    metrics.add(p.metric);
    row[p.metric] = p.value;
  }
  const columns = ['run', 'kind', ...[...lambdaKeys].sort().map((k) => `lambda.${k}`), ...[...metrics].sort()];
  return { columns, rows: [...rows.values()] };
}

/** Runs side by side: one row per field (status, λ, timing, params, latest metrics), a column per run. */
export function compareRuns(db: SqlDatabase, runIds: number[]): Table {
  if (!Array.isArray(runIds) || runIds.length === 0) {
    throw new TrackerError('INVALID_ARGUMENT', `compareRuns needs at least one run id`);
  }
  const runs = runIds.map((id) => getRun(db, id));
  const labels = runs.map((r) => (runs.filter((o) => o.name === r.name).length > 1 ? `${r.name} (#${r.id})` : r.name));
  const fields = new Map<string, unknown[]>();
  const set = (field: string, i: number, v: unknown) => {
    if (!fields.has(field)) fields.set(field, new Array(runs.length).fill(null));
    fields.get(field)![i] = v;
  };
  runs.forEach((r, i) => {
    set('experiment', i, r.experiment);
    set('kind', i, r.kind);
    set('status', i, r.status);
    for (const [k, v] of Object.entries(r.lambda ?? {})) set(`lambda.${k}`, i, v);
    set('seed', i, r.seed);
    set('backend', i, r.backend);
    set('git_revision', i, r.gitRevision);
    set('steps', i, r.lastStep);
    set('seconds', i, r.elapsedMs / 1000);
    set('tags', i, r.tags.join(' '));
    for (const [k, v] of Object.entries(runParams(db, r.id))) set(`param.${k}`, i, v);
    for (const [k, p] of Object.entries(latestMetrics(db, r.id))) set(`metric.${k}`, i, p.value);
  });
  const order = (f: string) => (f.startsWith('param.') ? 1 : f.startsWith('metric.') ? 2 : 0);
  const names = [...fields.keys()].sort((a, b) => order(a) - order(b) || (order(a) ? a.localeCompare(b) : 0));
  return {
    columns: ['field', ...labels],
    rows: names.map((f) => Object.fromEntries([['field', f], ...labels.map((l, i) => [l, fields.get(f)![i]])])),
  };
}

/** Training time and steps per run, and totals for the YOTO model(s) vs all baselines together. */
export function computeSummary(
  db: SqlDatabase,
  experiment: ExperimentRef,
  options: { runIds?: number[] } = {},
): { runs: ComputeRow[]; totals: ComputeTotals[] } {
  const exp = getExperiment(db, experiment);
  runScope(db, exp, options.runIds, 'r.id');
  const runs = listRuns(db, { experiment: exp.id, ids: options.runIds }).map((r) => ({
    runId: r.id,
    run: r.name,
    kind: r.kind,
    status: r.status,
    steps: r.lastStep ?? 0,
    seconds: r.elapsedMs / 1000,
  }));
  const total = (kind: RunKind, approach: ComputeTotals['approach']): ComputeTotals => {
    const mine = runs.filter((r) => r.kind === kind);
    return {
      approach,
      runs: mine.length,
      steps: mine.reduce((s, r) => s + r.steps, 0),
      seconds: mine.reduce((s, r) => s + r.seconds, 0),
    };
  };
  return { runs, totals: [total('yoto', 'yoto'), total('baseline', 'baselines')] };
}

export function listArtifacts(
  db: SqlDatabase,
  experiment: ExperimentRef,
  options: { kind?: string; runId?: number; runIds?: number[] } = {},
): ArtifactRecord[] {
  const exp = getExperiment(db, experiment);
  const where = ['experiment_id = ?'];
  const args: unknown[] = [exp.id];
  if (options.runIds !== undefined) {
    // The experiment's own artifacts (pictures, reports) belong to every selection of its runs.
    const scope = runScope(db, exp, options.runIds, 'run_id');
    where.push(`(run_id IS NULL ${scope.sql.replace(/^AND/, 'OR')})`);
    args.push(...scope.args);
  }
  if (options.kind !== undefined) {
    where.push('kind = ?');
    args.push(options.kind);
  }
  if (options.runId !== undefined) {
    where.push('run_id = ?');
    args.push(options.runId);
  }
  const rows = db.prepare(`SELECT * FROM artifacts WHERE ${where.join(' AND ')} ORDER BY id`).all(...args) as ArtifactRow[];
  return rows.map(toArtifact);
}

function checkIds(ids: unknown): number[] {
  if (!Array.isArray(ids) || ids.some((id) => !Number.isSafeInteger(id))) {
    throw new TrackerError('INVALID_ARGUMENT', `run ids must be an array of integers, got ${describe(ids)}`);
  }
  return ids as number[];
}

/**
 * An SQL condition (`AND <column> IN (…)`) restricting a query to the given runs of `exp`, or no
 * condition when `runIds` is undefined. Every id must name a run of that experiment: a stale or
 * mistyped id would otherwise just shrink the report silently.
 */
export function runScope(db: SqlDatabase, exp: ExperimentRecord, runIds: number[] | undefined, column: string): { sql: string; args: unknown[] } {
  if (runIds === undefined) return { sql: '', args: [] };
  const ids = checkIds(runIds);
  const mine = new Set(
    db.prepare(`SELECT id FROM runs WHERE experiment_id = ? AND id IN (${placeholders(ids)})`).pluck().all(exp.id, ...ids) as number[],
  );
  const foreign = [...new Set(ids)].filter((id) => !mine.has(id));
  if (foreign.length) {
    throw new TrackerError('UNKNOWN_RUN', `run id(s) ${foreign.join(', ')} are not runs of experiment ${JSON.stringify(exp.name)}`);
  }
  return { sql: `AND ${column} IN (${placeholders(ids)})`, args: ids };
}

/** `?, ?, ?` for an IN list; `NULL` (matching nothing) for an empty one. Run selections are short. */
function placeholders(ids: readonly number[]): string {
  return ids.length ? ids.map(() => '?').join(', ') : 'NULL';
}

function checkRef(ref: ExperimentRef): void {
  const ok = (typeof ref === 'number' && Number.isSafeInteger(ref)) || (typeof ref === 'string' && ref.length > 0);
  if (!ok) throw new TrackerError('INVALID_ARGUMENT', `experiment must be an integer id or a non-empty name, got ${describe(ref)}`);
}
