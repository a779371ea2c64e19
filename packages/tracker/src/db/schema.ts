import { renderDdl } from './ddl.js';
import { V1_TABLES } from './schema-v1.js';
import { dialectOf, type SqlDatabase } from './sql.js';

/**
 * Ordered schema migrations. `version` is the `PRAGMA user_version` a database has after the step
 * (on PostgreSQL: the row of `tracker_schema`). A step's `up` runs on either engine: its tables are
 * described once (ddl.ts) and rendered in `dialectOf(db)`'s DDL. Never edit a released step: add a
 * new one, so that every existing database upgrades the same way.
 */
export interface Migration {
  readonly version: number;
  readonly description: string;
  up(db: SqlDatabase): void;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, description: 'initial schema', up: (db) => db.exec(renderDdl(V1_TABLES, dialectOf(db))) },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
