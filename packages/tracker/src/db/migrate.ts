import { TrackerError, errorMessage } from '../errors.js';
import { MIGRATIONS, type Migration } from './schema.js';
import { dialectOf, type SqlDatabase } from './sql.js';

/**
 * Brings the database to the newest schema. All pending steps run in ONE immediate transaction
 * together with the version bump (PostgreSQL's DDL is transactional too), so a failure leaves the database exactly as it was, and two
 * processes opening a fresh file at once cannot both migrate it.
 */
export function migrate(db: SqlDatabase, path: string, migrations: readonly Migration[] = MIGRATIONS): number {
  checkOrder(migrations);
  const latest = migrations.length ? migrations[migrations.length - 1].version : 0;
  const current = userVersion(db);
  if (current > latest) throw tooNew(path, current, latest);
  if (current === latest) return current;

  const run = db.transaction(() => {
    // Re-read under the write lock: another process may have migrated meanwhile.
    const v = userVersion(db);
    if (v > latest) throw tooNew(path, v, latest);
    if (v === 0) assertEmpty(db, path);
    for (const m of migrations) {
      if (m.version <= v) continue;
      try {
        m.up(db);
      } catch (err) {
        throw new TrackerError(
          'MIGRATION_FAILED',
          `migrating ${path} to schema version ${m.version} (${m.description}) failed: ${errorMessage(err)}; ` +
            `the database was left at version ${v}`,
          { cause: err },
        );
      }
    }
    setVersion(db, latest);
  });
  run.immediate();
  return latest;
}

/** SQLite keeps the schema version in `PRAGMA user_version`; PostgreSQL in a one-row table. */
export function userVersion(db: SqlDatabase): number {
  if (dialectOf(db) === 'sqlite') return db.prepare('PRAGMA user_version').pluck().get() as number;
  const exists = db.prepare(`SELECT to_regclass('tracker_schema') IS NOT NULL`).pluck().get() as boolean;
  return exists ? ((db.prepare('SELECT version FROM tracker_schema').pluck().get() as number | undefined) ?? 0) : 0;
}

function setVersion(db: SqlDatabase, version: number): void {
  if (dialectOf(db) === 'sqlite') {
    db.exec(`PRAGMA user_version = ${version}`);
    return;
  }
  db.exec('CREATE TABLE IF NOT EXISTS tracker_schema (version INTEGER NOT NULL)');
  db.exec(`DELETE FROM tracker_schema; INSERT INTO tracker_schema (version) VALUES (${version})`);
}

function tooNew(path: string, found: number, supported: number): TrackerError {
  return new TrackerError(
    'DB_TOO_NEW',
    `${path} has tracker schema version ${found}, newer than the ${supported} this version of @yoto/tracker ` +
      `supports; upgrade @yoto/tracker (the database is never downgraded)`,
  );
}

/** Version 0 with tables in it is someone else's database: refuse rather than mix schemas. */
function assertEmpty(db: SqlDatabase, path: string): void {
  const sqlite = dialectOf(db) === 'sqlite';
  const n = db
    .prepare(
      sqlite
        ? `SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'`
        : `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name <> 'tracker_schema'`,
    )
    .pluck()
    .get() as number;
  if (n > 0) {
    throw new TrackerError(
      'DB_NOT_TRACKER',
      `${path} is ${sqlite ? 'an SQLite' : 'a PostgreSQL'} database but not a tracker database (it has other tables and no tracker schema version)`,
    );
  }
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`tracker migrations must be numbered 1, 2, 3…; step ${i} has version ${m.version}`);
  });
}
