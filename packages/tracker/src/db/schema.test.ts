// The schema described once (schema-v1.ts) and rendered per engine (ddl.ts) is the DDL that was
// released as version 1 (kept verbatim in __fixtures__/schema-v1.*.sql): the same text, and on each
// engine the same catalog; and a tracker file created by the released DDL still opens and migrates.
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../__fixtures__/backends.js';
import { startPostgres, type PostgresStart } from '@yoto/test-servers';
import { openTracker } from '../store.js';
import { renderDdl } from './ddl.js';
import { userVersion } from './migrate.js';
import { openDatabase } from './open.js';
import { PostgresDatabase } from './postgres.js';
import { MIGRATIONS, SCHEMA_VERSION, type Migration } from './schema.js';
import { V1_TABLES } from './schema-v1.js';
import type { SqlDatabase } from './sql.js';

const released = (dialect: 'sqlite' | 'postgres') => readFileSync(new URL(`../__fixtures__/schema-v1.${dialect}.sql`, import.meta.url), 'utf8');

/** DDL as tokens: comments dropped, white space folded (the engines ignore both). */
const tokens = (ddl: string) => ddl.replace(/--[^\n]*/g, '').replace(/\s+/g, ' ').trim();

/** What SQLite made of the DDL: every table's columns, keys, indexes and foreign keys, and whether it is WITHOUT ROWID. */
function sqliteCatalog(db: Database.Database): unknown {
  const tables = db.prepare(`SELECT name, wr, strict FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as { name: string }[];
  return tables.map((t) => ({
    ...t,
    columns: db.prepare(`SELECT * FROM pragma_table_xinfo(?)`).all(t.name),
    foreignKeys: db.prepare(`SELECT * FROM pragma_foreign_key_list(?)`).all(t.name),
    indexes: (db.prepare(`SELECT * FROM pragma_index_list(?) ORDER BY name`).all(t.name) as { name: string }[]).map((i) => ({
      // Automatic indexes are named after their order of creation; their columns tell them apart.
      ...i,
      columns: db.prepare(`SELECT * FROM pragma_index_xinfo(?)`).all(i.name),
    })),
    checks: (db.prepare(`SELECT sql FROM sqlite_master WHERE name = ?`).pluck().get(t.name) as string).match(/CHECK \([^)]*\)/g),
  }));
}

/** What PostgreSQL made of the DDL: columns with types, defaults, identity and collation; constraints; indexes. */
function postgresCatalog(db: SqlDatabase): unknown {
  return {
    columns: db
      .prepare(
        `SELECT table_name, column_name, ordinal_position, data_type, is_nullable, column_default, is_identity, identity_generation, collation_name
           FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`,
      )
      .all(),
    constraints: db
      .prepare(`SELECT conrelid::regclass::text AS table_name, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE connamespace = current_schema()::regnamespace ORDER BY 1, 2`)
      .all(),
    indexes: db.prepare(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname`).all(),
  };
}

describe('the rendered schema is the released version 1', () => {
  it('SQLite: the same DDL, token for token', () => {
    expect(tokens(renderDdl(V1_TABLES, 'sqlite'))).toBe(tokens(released('sqlite')));
  });

  it('PostgreSQL: the same DDL, token for token', () => {
    expect(tokens(renderDdl(V1_TABLES, 'postgres'))).toBe(tokens(released('postgres')));
  });

  it('SQLite: the same catalog (columns, keys, checks, indexes, WITHOUT ROWID)', () => {
    const catalog = (ddl: string) => {
      const db = new Database(':memory:');
      db.exec(ddl);
      const c = sqliteCatalog(db);
      db.close();
      return c;
    };
    const old = catalog(released('sqlite'));
    expect(catalog(renderDdl(V1_TABLES, 'sqlite'))).toEqual(old);
    // The catalog is not empty or blind: it sees the clustered tables and a cascade.
    expect(JSON.stringify(old)).toContain('"name":"metric_steps","wr":1');
    expect(JSON.stringify(old)).toContain('"on_delete":"CASCADE"');
  });

  describe('PostgreSQL: the same catalog', () => {
    let pg: PostgresStart | undefined;
    afterAll(() => {
      if (pg?.ok) pg.server.stop();
    });

    it('types, identity, collation, constraints and indexes match (skipped without postgresql)', async (ctx) => {
      pg = await startPostgres();
      if (!pg.ok) {
        ctx.skip(`PostgreSQL catalog check: ${pg.why}`);
        return;
      }
      const { server } = pg;
      const catalog = (ddl: string) => {
        const db = new PostgresDatabase(server.createDatabase(), 'schema test');
        try {
          db.exec(ddl);
          return postgresCatalog(db);
        } finally {
          db.close();
        }
      };
      const old = catalog(released('postgres'));
      expect(catalog(renderDdl(V1_TABLES, 'postgres'))).toEqual(old);
      expect(JSON.stringify(old)).toContain('"collation_name":"C"');
      expect(JSON.stringify(old)).toContain('"data_type":"double precision"');
    }, 180_000);
  });
});

describe('a version-1 tracker file created by the released DDL', () => {
  let dir: string;
  let remove: () => void;
  let path: string;
  beforeEach(() => {
    ({ dir, remove } = tempDir('yoto-schema-'));
    path = join(dir, 'old.sqlite');
    // As the released tracker left it: its DDL, user_version 1 and a finished run with metrics.
    const db = new Database(path);
    db.exec(released('sqlite'));
    db.exec(`
      INSERT INTO experiments (id, name, task, config, created_at) VALUES (1, 'vae', 'vae-mnist', '{"grid":[1,2]}', 1700000000000);
      INSERT INTO runs (id, experiment_id, name, kind, status, lambda, config, seed, host, pid, started_at, ended_at, heartbeat_at, elapsed_ms, last_step)
        VALUES (1, 1, 'baseline-beta=0.5', 'baseline', 'finished', '{"kl":0.5,"reconstruction":1}', '{"steps":2}', 1, 'old-host', 4242, 1700000000000, 1700000005000, 1700000005000, 5000, 2);
      INSERT INTO metric_keys (id, key) VALUES (1, 'loss');
      INSERT INTO metric_steps (run_id, key_id, step, value, flag, time) VALUES (1, 1, 1, 2.5, 0, 1700000001000), (1, 1, 2, NULL, 1, 1700000002000);
      INSERT INTO evaluations (run_id, lambda, metric, value, flag, created_at) VALUES (1, '{"kl":0.5,"reconstruction":1}', 'kl', 3.25, 0, 1700000006000);
      PRAGMA user_version = 1;
    `);
    db.close();
  });
  afterEach(() => remove());

  it('opens: what the old tracker wrote reads back, and new runs are written beside it', () => {
    const t = openTracker(path);
    try {
      expect(t.getExperiment('vae')).toMatchObject({ id: 1, task: 'vae-mnist', config: { grid: [1, 2] } });
      expect(t.getRun(1)).toMatchObject({ name: 'baseline-beta=0.5', kind: 'baseline', status: 'finished', lambda: { kl: 0.5, reconstruction: 1 }, seed: 1, host: 'old-host' });
      expect(t.metricHistory(1, 'loss').map((p) => [p.step, p.value])).toEqual([
        [1, 2.5],
        [2, Number.NaN],
      ]);
      expect(t.evaluationPoints('vae').map((e) => [e.metric, e.value])).toEqual([['kl', 3.25]]);
      const run = t.startRun({ experiment: 'vae', name: 'yoto', kind: 'yoto', gitRevision: null });
      run.logMetrics(1, { loss: 1.5 });
      run.finish();
      expect(t.listRuns({ experiment: 'vae' }).map((r) => [r.id, r.name, r.status])).toEqual([
        [1, 'baseline-beta=0.5', 'finished'],
        [2, 'yoto', 'finished'],
      ]);
    } finally {
      t.close();
    }
    const raw = new Database(path, { readonly: true });
    expect(userVersion(raw)).toBe(SCHEMA_VERSION);
    raw.close();
  });

  it('migrates: a later step applies on top of it and keeps its rows', () => {
    const v2: Migration = { version: SCHEMA_VERSION + 1, description: 'add run notes', up: (db) => db.exec('ALTER TABLE runs ADD COLUMN note TEXT') };
    const db = openDatabase(path, { migrations: [...MIGRATIONS, v2] });
    try {
      expect(userVersion(db)).toBe(SCHEMA_VERSION + 1);
      expect(db.prepare(`SELECT name, note FROM runs`).all()).toEqual([{ name: 'baseline-beta=0.5', note: null }]);
      expect(db.prepare(`SELECT count(*) FROM metric_steps`).pluck().get()).toBe(2);
    } finally {
      db.close();
    }
  });
});
