/** Plain records returned by the tracker's queries; everything the CLI and reports show is one of these. */

export type RunKind = 'yoto' | 'baseline';
export type RunStatus = 'running' | 'finished' | 'failed' | 'killed' | 'crashed';
export const RUN_KINDS: readonly RunKind[] = ['yoto', 'baseline'];
export const RUN_STATUSES: readonly RunStatus[] = ['running', 'finished', 'failed', 'killed', 'crashed'];

/** An experiment by numeric id or by unique name. */
export type ExperimentRef = number | string;

export interface ExperimentSpec {
  name: string;
  task?: string;
  description?: string;
  /** Any JSON: the experiment definition as run (budgets, grid, profile). */
  config?: unknown;
}

export interface ExperimentRecord {
  id: number;
  name: string;
  task: string | null;
  description: string | null;
  config: unknown;
  /** Unix milliseconds. */
  createdAt: number;
}

export interface ExperimentSummary extends ExperimentRecord {
  runs: number;
  byStatus: Partial<Record<RunStatus, number>>;
  byKind: Partial<Record<RunKind, number>>;
}

export interface RunSpec {
  experiment: ExperimentRef;
  /** Unique within the experiment, e.g. `yoto` or `baseline-kl=0.5`. */
  name: string;
  kind: RunKind;
  /** The fixed coefficient vector of a baseline; omitted for a YOTO run. */
  lambda?: Record<string, number>;
  config?: unknown;
  seed?: number;
  backend?: string;
  /** Default: `git describe --always --dirty` of the working directory, or null outside git. */
  gitRevision?: string | null;
  tags?: string[];
  params?: Record<string, unknown>;
}

export interface RunRecord {
  id: number;
  experimentId: number;
  experiment: string;
  name: string;
  kind: RunKind;
  status: RunStatus;
  lambda: Record<string, number> | null;
  config: unknown;
  seed: number | null;
  backend: string | null;
  gitRevision: string | null;
  host: string;
  pid: number;
  startedAt: number;
  endedAt: number | null;
  heartbeatAt: number;
  /** Wall time spent training, summed over resumptions (downtime excluded). */
  elapsedMs: number;
  /** Highest step logged, or null before the first metric. */
  lastStep: number | null;
  error: string | null;
  tags: string[];
}

export interface RunFilter {
  experiment?: ExperimentRef;
  kind?: RunKind;
  status?: RunStatus | RunStatus[];
  tag?: string;
  name?: string;
  /** Only these run ids. */
  ids?: number[];
}

export interface MetricPoint {
  step: number;
  /** NaN and ±Infinity come back as logged. */
  value: number;
  /** Unix milliseconds when it was logged. */
  time: number;
}

/** A downsampled stretch of a metric's history: the mean over `count` consecutive logged steps. */
export interface MetricBucket {
  step: number;
  value: number;
  min: number;
  max: number;
  count: number;
  /** How many of the bucket's values were NaN/±Inf (left out of mean/min/max). */
  nonFinite: number;
}

export interface EvaluationRow {
  experiment: string;
  runId: number;
  run: string;
  kind: RunKind;
  lambda: Record<string, number>;
  metric: string;
  value: number;
}

export interface CurveRow extends MetricBucket {
  runId: number;
  run: string;
  kind: RunKind;
  key: string;
}

export interface ComputeRow {
  runId: number;
  run: string;
  kind: RunKind;
  status: RunStatus;
  steps: number;
  seconds: number;
}

export interface ComputeTotals {
  approach: 'yoto' | 'baselines';
  runs: number;
  steps: number;
  seconds: number;
}

export interface ArtifactSpec {
  path: string;
  /** Free text; the report embeds kind `image`. Others: `checkpoint`, `report`, … */
  kind: string;
  meta?: unknown;
}

export interface ArtifactRecord {
  id: number;
  experimentId: number;
  runId: number | null;
  path: string;
  kind: string;
  sha256: string;
  size: number;
  meta: unknown;
  createdAt: number;
}

/** A table as the CLI prints it and the exporters write it. */
export interface Table {
  columns: string[];
  rows: Record<string, unknown>[];
}
