import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresDatabase } from '../db/postgres.js';
import type { SqlDatabase } from '../db/sql.js';
import { startPostgres, type PostgresServer } from '@yoto/test-servers';

/**
 * The tracker's engines for suites that must pass on both: `fresh()` gives the location of a new,
 * empty tracker database (an SQLite file, a PostgreSQL URL), `raw()` a second connection to it for
 * tampering the way another process would. PostgreSQL runs on loopback for the file's lifetime, or
 * its suite is skipped with `skip` saying what is missing.
 */
export interface Backend {
  name: 'sqlite' | 'postgres';
  skip: string | null;
  fresh(dir: string): string;
  raw(location: string): SqlDatabase;
}

const sqlite: Backend = {
  name: 'sqlite',
  skip: null,
  fresh: (dir) => join(dir, 'runs.sqlite'),
  raw: (location) => new Database(location),
};

let server: PostgresServer | null = null;

/** Both backends; call `stopBackends` in afterAll. Starts PostgreSQL (a few seconds). */
export async function startBackends(): Promise<Backend[]> {
  const started = await startPostgres();
  server = started.ok ? started.server : null;
  const postgres: Backend = {
    name: 'postgres',
    skip: started.ok ? null : started.why,
    fresh: () => server!.createDatabase(),
    raw: (location) => new PostgresDatabase(location, 'test connection'),
  };
  return [sqlite, postgres];
}

export function stopBackends(): void {
  server?.stop();
  server = null;
}

/** `describe` title: the backend, and why it is skipped when it is. */
export function backendTitle(b: Backend): string {
  return `${b.name} backend${b.skip ? ` (skipped: ${b.skip})` : ''}`;
}

export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
