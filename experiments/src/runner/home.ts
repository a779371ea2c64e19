import { closeSync, existsSync, mkdirSync, openSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { isPostgresUrl, redactUrl } from '@yoto/tracker/location';
import { retryMsFromEnv } from '@yoto/tracker/retry';
import { UsageError } from '../errors.js';
import { classifyError } from '../cli/user-errors.js';

/**
 * Where results live: `YOTO_HOME` (default `./yoto-results`). The tracker is `tracker.db` in it,
 * unless `YOTO_TRACKER` names another one: a `postgres://…` URL for a tracker shared by machines
 * (`YOTO_TRACKER_RETRY_MS` bounds how long its users wait for it when its server goes away).
 */
export interface Home {
  root: string;
  /** The tracker's location: an SQLite file or a PostgreSQL URL. */
  db: string;
  /** `db` as messages show it (a URL without its password). */
  dbLabel: string;
  checkpoints: string;
  reports: string;
  logs: string;
}

export function resolveHome(env: NodeJS.ProcessEnv, cwd: string): Home {
  const raw = env.YOTO_HOME?.trim() || 'yoto-results';
  const root = isAbsolute(raw) ? raw : resolve(cwd, raw);
  const tracker = env.YOTO_TRACKER?.trim();
  if (tracker && !isPostgresUrl(tracker)) {
    throw new UsageError(`YOTO_TRACKER=${tracker} is not a PostgreSQL URL; expected postgres://user:password@host:port/database (unset it for the SQLite file in YOTO_HOME)`);
  }
  if (tracker) checkTrackerRetry(env);
  const db = tracker || join(root, 'tracker.db');
  return {
    root,
    db,
    dbLabel: tracker ? redactUrl(tracker) : db,
    checkpoints: join(root, 'checkpoints'),
    reports: join(root, 'reports'),
    logs: join(root, 'logs'),
  };
}

/**
 * Refuses a `YOTO_TRACKER_RETRY_MS` that is not whole milliseconds, up front in one line: every
 * process that opens a PostgreSQL tracker reads it (a queue worker's job processes too).
 */
export function checkTrackerRetry(env: NodeJS.ProcessEnv): void {
  try {
    retryMsFromEnv(env);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function checkpointDir(home: Home, runId: number): string {
  return join(home.checkpoints, String(runId));
}

/**
 * The tracker experiment a profile's runs are recorded under: the definition's name for the
 * default profile, `name@profile` otherwise, so each profile has its own report and comparisons
 * never mix a smoke model with a real one.
 */
export function recordName(experiment: string, profile: string): string {
  return profile === 'default' ? experiment : `${experiment}@${profile}`;
}

export function reportDir(home: Home, record: string): string {
  return join(home.reports, record);
}

/**
 * Refuses a YOTO_HOME the command cannot use, before any work, with one line that names it: a file
 * where the folder belongs (it used to end in a raw EEXIST, and `exp runs` then claimed nothing had
 * run), a folder that cannot be created or written, a read-only tracker.db (found only after a whole
 * evaluation), and — for commands that only read — a home where nothing has run yet.
 */
export function checkHome(home: Home, mode: 'read' | 'write', experiment?: string): void {
  const setTo = `YOTO_HOME=${home.root}`;
  if (existsSync(home.root) && !statSync(home.root).isDirectory())
    throw new UsageError(`${setTo} is a file, not a folder; point YOTO_HOME at a folder for the results`);
  const file = !isPostgresUrl(home.db);
  if (mode === 'read') {
    // A server's tracker is checked by opening it (a missing schema is DB_MISSING, one clear line).
    if (file && !existsSync(home.db))
      throw new UsageError(
        `nothing recorded under ${home.root} yet; run \`pnpm exp run ${experiment ?? '<experiment>'}\` first` +
          (experiment === undefined ? ' (`pnpm exp list` names them)' : ''),
      );
    return;
  }
  // Real writes, not access(2): that checks the real user id, and as root it passes for everything.
  try {
    mkdirSync(home.root, { recursive: true });
    const probe = join(home.root, `.write-probe-${process.pid}`);
    writeFileSync(probe, '');
    unlinkSync(probe);
  } catch (e) {
    throw new UsageError(`cannot write results to ${setTo}: ${classifyError(e).message}; choose a folder you can write`);
  }
  if (file && existsSync(home.db)) {
    try {
      closeSync(openSync(home.db, 'r+'));
    } catch {
      throw new UsageError(`${home.db} is read-only; the run records into it: make it writable (chmod u+w) or choose another YOTO_HOME`);
    }
  }
}
