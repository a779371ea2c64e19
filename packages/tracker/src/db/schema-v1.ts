import type { Table } from './ddl.js';

/**
 * The tables of schema version 1, rendered per engine by ddl.ts. Released: never edit (a database
 * created by it must stay what the code expects); a change is a new migration in schema.ts.
 */
export const V1_TABLES: readonly Table[] = [
  {
    name: 'experiments',
    columns: [
      { name: 'id', type: 'id' },
      { name: 'name', type: 'name', notNull: true, unique: true },
      { name: 'task', type: 'text' },
      { name: 'description', type: 'text' },
      { name: 'config', type: 'text', notNull: true, default: "'null'" },
      { name: 'created_at', type: 'integer', notNull: true },
    ],
  },
  {
    name: 'runs',
    columns: [
      { name: 'id', type: 'id' },
      { name: 'experiment_id', type: 'integer', notNull: true, references: { table: 'experiments', cascade: true } },
      { name: 'name', type: 'name', notNull: true },
      { name: 'kind', type: 'text', notNull: true, check: "kind IN ('yoto', 'baseline')" },
      { name: 'status', type: 'text', notNull: true, check: "status IN ('running', 'finished', 'failed', 'killed', 'crashed')" },
      { name: 'lambda', type: 'text' },
      { name: 'config', type: 'text', notNull: true, default: "'null'" },
      { name: 'seed', type: 'integer' },
      { name: 'backend', type: 'text' },
      { name: 'git_revision', type: 'text' },
      { name: 'host', type: 'text', notNull: true },
      { name: 'pid', type: 'integer', notNull: true },
      { name: 'started_at', type: 'integer', notNull: true },
      { name: 'ended_at', type: 'integer' },
      { name: 'heartbeat_at', type: 'integer', notNull: true },
      { name: 'elapsed_ms', type: 'integer', notNull: true, default: '0' },
      { name: 'last_step', type: 'integer' },
      { name: 'error', type: 'text' },
    ],
    unique: [['experiment_id', 'name']],
    indexes: [{ name: 'runs_status', columns: ['status'] }],
  },
  {
    name: 'params',
    columns: [
      { name: 'run_id', type: 'integer', notNull: true, references: { table: 'runs', cascade: true } },
      { name: 'key', type: 'name', notNull: true },
      { name: 'value', type: 'text', notNull: true },
    ],
    primaryKey: ['run_id', 'key'],
  },
  {
    name: 'tags',
    columns: [
      { name: 'run_id', type: 'integer', notNull: true, references: { table: 'runs', cascade: true } },
      { name: 'tag', type: 'name', notNull: true },
    ],
    primaryKey: ['run_id', 'tag'],
    indexes: [{ name: 'tags_tag', columns: ['tag'] }],
  },
  {
    name: 'metric_keys',
    columns: [
      { name: 'id', type: 'id' },
      { name: 'key', type: 'name', notNull: true, unique: true },
    ],
  },
  // One row per (run, metric, step), clustered in that order: a metric's history is one range scan.
  // value is NULL for NaN/±Inf; flag says which (0 finite, 1 NaN, 2 +Inf, 3 -Inf).
  {
    name: 'metric_steps',
    columns: [
      { name: 'run_id', type: 'integer', notNull: true, references: { table: 'runs', cascade: true } },
      { name: 'key_id', type: 'integer', notNull: true, references: { table: 'metric_keys' } },
      { name: 'step', type: 'integer', notNull: true },
      { name: 'value', type: 'real' },
      { name: 'flag', type: 'flag', notNull: true, default: '0' },
      { name: 'time', type: 'integer', notNull: true },
    ],
    primaryKey: ['run_id', 'key_id', 'step'],
  },
  {
    name: 'evaluations',
    columns: [
      { name: 'id', type: 'id' },
      { name: 'run_id', type: 'integer', notNull: true, references: { table: 'runs', cascade: true } },
      { name: 'lambda', type: 'text', notNull: true },
      { name: 'metric', type: 'name', notNull: true },
      { name: 'value', type: 'real' },
      { name: 'flag', type: 'flag', notNull: true, default: '0' },
      { name: 'created_at', type: 'integer', notNull: true },
    ],
    unique: [['run_id', 'lambda', 'metric']],
  },
  {
    name: 'artifacts',
    columns: [
      { name: 'id', type: 'id' },
      { name: 'experiment_id', type: 'integer', notNull: true, references: { table: 'experiments', cascade: true } },
      { name: 'run_id', type: 'integer', references: { table: 'runs', cascade: true } },
      { name: 'path', type: 'text', notNull: true },
      { name: 'kind', type: 'text', notNull: true },
      { name: 'sha256', type: 'text', notNull: true },
      { name: 'size', type: 'integer', notNull: true },
      { name: 'meta', type: 'text', notNull: true, default: "'null'" },
      { name: 'created_at', type: 'integer', notNull: true },
    ],
    indexes: [{ name: 'artifacts_experiment', columns: ['experiment_id', 'kind'] }],
  },
];
