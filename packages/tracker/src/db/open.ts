import Database from 'better-sqlite3';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { TrackerError, errorMessage } from '../errors.js';
import { migrate, userVersion } from './migrate.js';
import { PostgresDatabase, type PostgresOptions } from './postgres.js';
import type { Migration } from './schema.js';
import { isPostgresUrl, redactUrl, type SqlDatabase } from './sql.js';

export interface OpenDatabaseOptions {
  /** Create the file when it does not exist (default true). False: a missing file is an error. */
  create?: boolean;
  /** How long a writer waits for another process's write lock before failing (default 60 s). */
  busyTimeoutMs?: number;
  /** For tests of the migration machinery only. */
  migrations?: readonly Migration[];
}

/** Opens (and migrates) a tracker database with the pragmas every connection needs. */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Database.Database {
  if (typeof path !== 'string' || path.length === 0) {
    throw new TrackerError('INVALID_ARGUMENT', `tracker database path must be a non-empty string`);
  }
  const create = options.create ?? true;
  if (path !== ':memory:') {
    if (!existsSync(path)) {
      if (!create) throw new TrackerError('DB_MISSING', `no tracker database at ${path}`);
      mkdirSync(dirname(path), { recursive: true });
    } else if (!statSync(path).isFile()) {
      throw new TrackerError('DB_CORRUPT', `${path} is not a file, so not a tracker database`);
    }
  }
  let db: Database.Database;
  try {
    db = new Database(path, { fileMustExist: !create, timeout: options.busyTimeoutMs ?? 60_000 });
  } catch (err) {
    throw new TrackerError('DB_CORRUPT', `cannot open tracker database ${path}: ${errorMessage(err)}`, { cause: err });
  }
  try {
    // The first statement reads the header: a file that is not SQLite fails here.
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 60_000))}`);
    db.pragma('journal_mode = WAL');
    // NORMAL is durable across application crashes in WAL mode (only an OS crash can lose the tail).
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
  } catch (err) {
    db.close();
    throw new TrackerError('DB_CORRUPT', `${path} is not a readable tracker database: ${errorMessage(err)}`, { cause: err });
  }
  try {
    migrate(db, path, options.migrations);
  } catch (err) {
    db.close();
    if (err instanceof TrackerError) throw err;
    throw new TrackerError('DB_CORRUPT', `${path} is not a readable tracker database: ${errorMessage(err)}`, { cause: err });
  }
  return db;
}

/**
 * Opens (and migrates) the tracker database at `location`: a `postgres://…` URL or an SQLite file.
 * `label` names it in messages (a URL without its password).
 */
export function openDatabaseAt(location: string, options: OpenDatabaseOptions & PostgresOptions = {}): { db: SqlDatabase; label: string } {
  if (!isPostgresUrl(location)) return { db: openDatabase(location, options), label: location };
  const label = redactUrl(location);
  const db = new PostgresDatabase(location, label, options);
  try {
    if ((options.create ?? true) === false && userVersion(db) === 0) {
      throw new TrackerError('DB_MISSING', `no tracker database at ${label} (it has no tracker schema)`);
    }
    migrate(db, label, options.migrations);
  } catch (err) {
    db.close();
    if (err instanceof TrackerError) throw err;
    throw new TrackerError('DB_CORRUPT', `${label} is not a readable tracker database: ${errorMessage(err)}`, { cause: err });
  }
  return { db, label };
}
