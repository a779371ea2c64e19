-- The version-1 schema as released for SQLite, verbatim: what ddl.test.ts holds the rendered DDL to
-- and what the old-file test builds a tracker database with. Never edit: it is history.
CREATE TABLE experiments (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL UNIQUE,
  task        TEXT,
  description TEXT,
  config      TEXT    NOT NULL DEFAULT 'null',
  created_at  INTEGER NOT NULL
);

CREATE TABLE runs (
  id            INTEGER PRIMARY KEY,
  experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
  name          TEXT    NOT NULL,
  kind          TEXT    NOT NULL CHECK (kind IN ('yoto', 'baseline')),
  status        TEXT    NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'killed', 'crashed')),
  lambda        TEXT,
  config        TEXT    NOT NULL DEFAULT 'null',
  seed          INTEGER,
  backend       TEXT,
  git_revision  TEXT,
  host          TEXT    NOT NULL,
  pid           INTEGER NOT NULL,
  started_at    INTEGER NOT NULL,
  ended_at      INTEGER,
  heartbeat_at  INTEGER NOT NULL,
  elapsed_ms    INTEGER NOT NULL DEFAULT 0,
  last_step     INTEGER,
  error         TEXT,
  UNIQUE (experiment_id, name)
);
CREATE INDEX runs_status ON runs (status);

CREATE TABLE params (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  key    TEXT    NOT NULL,
  value  TEXT    NOT NULL,
  PRIMARY KEY (run_id, key)
) WITHOUT ROWID;

CREATE TABLE tags (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  tag    TEXT    NOT NULL,
  PRIMARY KEY (run_id, tag)
) WITHOUT ROWID;
CREATE INDEX tags_tag ON tags (tag);

CREATE TABLE metric_keys (
  id  INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE
);

-- One row per (run, metric, step), clustered in that order: a metric's history is one range scan.
-- value is NULL for NaN/±Inf; flag says which (0 finite, 1 NaN, 2 +Inf, 3 -Inf).
CREATE TABLE metric_steps (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  key_id INTEGER NOT NULL REFERENCES metric_keys(id),
  step   INTEGER NOT NULL,
  value  REAL,
  flag   INTEGER NOT NULL DEFAULT 0,
  time   INTEGER NOT NULL,
  PRIMARY KEY (run_id, key_id, step)
) WITHOUT ROWID;

CREATE TABLE evaluations (
  id         INTEGER PRIMARY KEY,
  run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  lambda     TEXT    NOT NULL,
  metric     TEXT    NOT NULL,
  value      REAL,
  flag       INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  UNIQUE (run_id, lambda, metric)
);

CREATE TABLE artifacts (
  id            INTEGER PRIMARY KEY,
  experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
  run_id        INTEGER REFERENCES runs(id) ON DELETE CASCADE,
  path          TEXT    NOT NULL,
  kind          TEXT    NOT NULL,
  sha256        TEXT    NOT NULL,
  size          INTEGER NOT NULL,
  meta          TEXT    NOT NULL DEFAULT 'null',
  created_at    INTEGER NOT NULL
);
CREATE INDEX artifacts_experiment ON artifacts (experiment_id, kind);
