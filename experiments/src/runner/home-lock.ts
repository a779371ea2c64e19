import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import type { Home } from './home.js';

/** What the lock file says about its holder. */
interface Holder {
  pid: number;
  host: string;
  what: string;
  since: string;
}

export const LOCK_FILE = 'run.lock';

/**
 * One `exp run` at a time per YOTO_HOME. Two runs on one home raced: both saw no live run, both
 * registered and trained the same runs, both failed. The second one now stops at once with one line
 * (exit 2) naming the first.
 *
 * The lock is a file created exclusively (atomic on local file systems: of two runs started
 * together exactly one creates it) that holds the owner's pid and host. A lock whose owner is dead
 * (same host, no such pid: a `kill -9` or a power cut) is taken over. A liveness check by pid is
 * exact where a heartbeat lock (e.g. proper-lockfile, which calls a lock stale when its mtime was
 * not refreshed for some seconds) is not: a worker-heavy run on a loaded 2-core machine can miss a
 * refresh and let a second run in; and it needs no dependency.
 *
 * Returns the release function.
 */
export function acquireHomeLock(home: Home, what: string): () => void {
  const path = join(home.root, LOCK_FILE);
  const me: Holder = { pid: process.pid, host: hostname(), what, since: new Date().toISOString() };
  // The content goes into a private file first and is then hard-linked as the lock: link() fails
  // with EEXIST like O_EXCL, and a lock file never exists half-written for another run to misread.
  const mine = `${path}.${me.pid}.tmp`;
  writeFileSync(mine, JSON.stringify(me));
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(mine, path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const raw = readOrEmpty(path);
        const holder = parse(raw);
        if (holder && !isDead(holder))
          throw new UsageError(
            `another \`exp run\` (${holder.what}, pid ${holder.pid}${holder.host === me.host ? '' : ` on ${holder.host}`}, since ${holder.since}) ` +
              `is using YOTO_HOME=${home.root}; wait for it to finish (then run again: finished runs are reused) or use another YOTO_HOME`,
          );
        // A dead owner's lock (or an unreadable one): take it over — unless another run already
        // did (the content changed), in which case the next attempt meets theirs.
        if (readOrEmpty(path) === raw) unlinkQuietly(path);
        continue;
      }
      return () => {
        if (parse(readOrEmpty(path))?.pid === me.pid) unlinkQuietly(path);
      };
    }
  } finally {
    unlinkQuietly(mine);
  }
  throw new UsageError(`cannot take the lock ${path}: it keeps changing hands; another \`exp run\` is starting on YOTO_HOME=${home.root}`);
}

function parse(raw: string): Holder | null {
  try {
    const h = JSON.parse(raw) as Partial<Holder>;
    return typeof h.pid === 'number' && typeof h.host === 'string' ? { pid: h.pid, host: h.host, what: String(h.what ?? '?'), since: String(h.since ?? '?') } : null;
  } catch {
    return null;
  }
}

/** Only a holder on this host can be checked; one on another host is taken as alive. */
function isDead(h: Holder): boolean {
  if (h.host !== hostname()) return false;
  try {
    process.kill(h.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* gone already */
  }
}
