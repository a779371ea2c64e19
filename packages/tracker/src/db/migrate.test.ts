import Database from 'better-sqlite3';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TrackerError } from '../errors.js';
import { openTracker } from '../store.js';
import { openDatabase } from './open.js';
import { MIGRATIONS, SCHEMA_VERSION, type Migration } from './schema.js';
import { userVersion } from './migrate.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'yoto-tracker-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TrackerError);
    return `${(err as TrackerError).code}: ${(err as Error).message}`;
  }
  throw new Error('expected a TrackerError');
}

const tables = (path: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all() as string[];
  } finally {
    db.close();
  }
};

describe('opening and migrating', () => {
  it('creates a fresh database at the newest schema with WAL, foreign keys and a busy timeout', () => {
    const path = join(dir, 'sub', 'runs.sqlite');
    const db = openDatabase(path, { busyTimeoutMs: 12_345 });
    expect(userVersion(db)).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(12_345);
    db.close();
    expect(tables(path)).toEqual(
      expect.arrayContaining(['experiments', 'runs', 'params', 'tags', 'metric_keys', 'metric_steps', 'evaluations', 'artifacts']),
    );
    // Reopening is a no-op migration.
    openDatabase(path).close();
  });

  it('refuses a database from a newer schema and leaves it untouched', () => {
    const path = join(dir, 'new.sqlite');
    openDatabase(path).close();
    const raw = new Database(path);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    expect(code(() => openTracker(path))).toMatch(new RegExp(`^DB_TOO_NEW: .*version ${SCHEMA_VERSION + 1}, newer than the ${SCHEMA_VERSION}.*never downgraded`));
    const again = new Database(path);
    expect(userVersion(again)).toBe(SCHEMA_VERSION + 1);
    again.close();
  });

  it('never leaves a database half-migrated: a failing step rolls back every pending step', () => {
    const path = join(dir, 'half.sqlite');
    const failing: Migration = {
      version: SCHEMA_VERSION + 1,
      description: 'add notes, then fail',
      up: (db) => {
        db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY)');
        db.exec('ALTER TABLE runs ADD COLUMN note TEXT');
        throw new Error('disk on fire');
      },
    };
    // From empty: v1 must be rolled back together with the failing step.
    expect(code(() => openDatabase(path, { migrations: [...MIGRATIONS, failing] }))).toMatch(
      /^MIGRATION_FAILED: .*version 2 \(add notes, then fail\) failed: disk on fire; the database was left at version 0/,
    );
    expect(tables(path)).toEqual([]);

    // From v1: the database stays exactly at v1.
    openDatabase(path).close();
    const before = tables(path);
    expect(code(() => openDatabase(path, { migrations: [...MIGRATIONS, failing] }))).toMatch(/left at version 1/);
    expect(tables(path)).toEqual(before);
    const raw = new Database(path);
    expect(userVersion(raw)).toBe(1);
    expect((raw.prepare(`SELECT name FROM pragma_table_info('runs')`).pluck().all() as string[]).includes('note')).toBe(false);
    raw.close();

    // A working step then applies, in order.
    const good: Migration = { version: 2, description: 'add notes', up: (db) => db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY)') };
    const db = openDatabase(path, { migrations: [...MIGRATIONS, good] });
    expect(userVersion(db)).toBe(2);
    db.close();
    expect(tables(path)).toContain('notes');
  });

  it('gives clear errors for missing, corrupt and foreign files', () => {
    expect(code(() => openTracker(join(dir, 'nope.sqlite'), { create: false }))).toMatch(/^DB_MISSING: no tracker database at .*nope\.sqlite/);

    const garbage = join(dir, 'garbage.sqlite');
    writeFileSync(garbage, Buffer.alloc(4096, 0x5a));
    expect(code(() => openTracker(garbage))).toMatch(/^DB_CORRUPT: .*garbage\.sqlite is not a readable tracker database: file is not a database/);

    const folder = join(dir, 'folder.sqlite');
    mkdirSync(folder);
    expect(code(() => openTracker(folder))).toMatch(/^DB_CORRUPT: .*folder\.sqlite is not a file/);

    const foreign = join(dir, 'foreign.sqlite');
    const other = new Database(foreign);
    other.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY)');
    other.close();
    expect(code(() => openTracker(foreign))).toMatch(/^DB_NOT_TRACKER: .*not a tracker database/);
    expect(tables(foreign)).toEqual(['customers']);
  });
});
