import type { ArtifactRecord, ExperimentRecord, RunKind, RunRecord, RunStatus } from './types.js';
import { parseJson } from './util/values.js';
import { dialectOf, type SqlDatabase } from './db/sql.js';

/** Column lists and row → record mapping shared by the store and the queries. */

export const EXPERIMENT_COLUMNS = `e.id, e.name, e.task, e.description, e.config, e.created_at`;

export interface ExperimentRow {
  id: number;
  name: string;
  task: string | null;
  description: string | null;
  config: string;
  created_at: number;
}

export function toExperiment(r: ExperimentRow): ExperimentRecord {
  return {
    id: r.id,
    name: r.name,
    task: r.task,
    description: r.description,
    config: parseJson(r.config),
    createdAt: r.created_at,
  };
}

const RUN_FIELDS = `r.id, r.experiment_id, e.name AS experiment, r.name, r.kind, r.status, r.lambda, r.config,
  r.seed, r.backend, r.git_revision, r.host, r.pid, r.started_at, r.ended_at, r.heartbeat_at, r.elapsed_ms,
  r.last_step, r.error`;

/** The run's columns and its tags as a JSON array (the one aggregate whose spelling differs). */
export function runColumns(db: SqlDatabase): string {
  return dialectOf(db) === 'postgres'
    ? `${RUN_FIELDS}, (SELECT coalesce(json_agg(tag ORDER BY tag), '[]')::text FROM tags WHERE run_id = r.id) AS tags`
    : `${RUN_FIELDS}, (SELECT json_group_array(t.tag) FROM (SELECT tag FROM tags WHERE run_id = r.id ORDER BY tag) t) AS tags`;
}

export const RUN_FROM = `runs r JOIN experiments e ON e.id = r.experiment_id`;

export interface RunRow {
  id: number;
  experiment_id: number;
  experiment: string;
  name: string;
  kind: RunKind;
  status: RunStatus;
  lambda: string | null;
  config: string;
  seed: number | null;
  backend: string | null;
  git_revision: string | null;
  host: string;
  pid: number;
  started_at: number;
  ended_at: number | null;
  heartbeat_at: number;
  elapsed_ms: number;
  last_step: number | null;
  error: string | null;
  tags: string;
}

export function toRun(r: RunRow): RunRecord {
  return {
    id: r.id,
    experimentId: r.experiment_id,
    experiment: r.experiment,
    name: r.name,
    kind: r.kind,
    status: r.status,
    lambda: parseJson<Record<string, number>>(r.lambda),
    config: parseJson(r.config),
    seed: r.seed,
    backend: r.backend,
    gitRevision: r.git_revision,
    host: r.host,
    pid: r.pid,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    heartbeatAt: r.heartbeat_at,
    elapsedMs: r.elapsed_ms,
    lastStep: r.last_step,
    error: r.error,
    tags: JSON.parse(r.tags) as string[],
  };
}

export interface ArtifactRow {
  id: number;
  experiment_id: number;
  run_id: number | null;
  path: string;
  kind: string;
  sha256: string;
  size: number;
  meta: string;
  created_at: number;
}

export function toArtifact(r: ArtifactRow): ArtifactRecord {
  return {
    id: r.id,
    experimentId: r.experiment_id,
    runId: r.run_id,
    path: r.path,
    kind: r.kind,
    sha256: r.sha256,
    size: r.size,
    meta: parseJson(r.meta),
    createdAt: r.created_at,
  };
}
