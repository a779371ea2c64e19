import type { Database } from 'better-sqlite3';
import { TrackerError, errorMessage } from '../errors.js';
import { MIGRATIONS, type Migration } from './schema.js';

/**
 * Brings the database to the newest schema. All pending steps run in ONE immediate transaction
 * together with the `user_version` bump, so a failure leaves the database exactly as it was, and two
 * processes opening a fresh file at once cannot both migrate it.
 */
export function migrate(db: Database, path: string, migrations: readonly Migration[] = MIGRATIONS): number {
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
    db.pragma(`user_version = ${latest}`);
  });
  run.immediate();
  return latest;
}

export function userVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function tooNew(path: string, found: number, supported: number): TrackerError {
  return new TrackerError(
    'DB_TOO_NEW',
    `${path} has tracker schema version ${found}, newer than the ${supported} this version of @yoto/tracker ` +
      `supports; upgrade @yoto/tracker (the database is never downgraded)`,
  );
}

/** Version 0 with tables in it is someone else's SQLite file: refuse rather than mix schemas. */
function assertEmpty(db: Database, path: string): void {
  const n = db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'`).get() as { n: number };
  if (n.n > 0) {
    throw new TrackerError('DB_NOT_TRACKER', `${path} is an SQLite database but not a tracker database (it has other tables and no tracker schema version)`);
  }
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`tracker migrations must be numbered 1, 2, 3…; step ${i} has version ${m.version}`);
  });
}
