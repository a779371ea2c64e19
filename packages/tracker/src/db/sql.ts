/**
 * The seam between the tracker and its database engine: the small synchronous subset of
 * better-sqlite3's API the store, writer and queries use. SQLite's `Database` satisfies it as is;
 * `PostgresDatabase` implements it over node-postgres. SQL written against it is the common dialect
 * of both engines (`?` placeholders, `ON CONFLICT … DO UPDATE`, `RETURNING id`, CASE instead of
 * two-argument max); the few statements that cannot be shared branch on `dialectOf(db)`.
 */
export interface SqlStatement {
  run(...params: unknown[]): { changes: number };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  /** Rows come back as their first column's value. */
  pluck(): SqlStatement;
  /** Rows come back as arrays of column values. */
  raw(): SqlStatement;
}

export interface SqlTransaction<A extends unknown[], R> {
  (...args: A): R;
  /** Takes the database's write lock first, so concurrent writers queue instead of failing. */
  immediate(...args: A): R;
}

export interface SqlDatabase {
  prepare(sql: string): SqlStatement;
  exec(sql: string): unknown;
  transaction<A extends unknown[], R>(fn: (...args: A) => R): SqlTransaction<A, R>;
  close(): unknown;
}

export type SqlDialect = 'sqlite' | 'postgres';

/** Implemented by the Postgres adapter; a database without it is better-sqlite3's. */
export interface DialectAware {
  readonly dialect: SqlDialect;
}

export function dialectOf(db: SqlDatabase): SqlDialect {
  return (db as Partial<DialectAware>).dialect ?? 'sqlite';
}

/** `postgres://…` and `postgresql://…` name a PostgreSQL database; anything else is an SQLite file. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** The URL without its password, for messages and `Tracker.path`. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
  }
}
