import { describe, expect, it } from 'vitest';
import { freePort } from '@yoto/test-servers';
import { TrackerError } from '../errors.js';
import { openTracker } from '../store.js';
import { toDollarParams } from './postgres.js';
import { isPostgresUrl, redactUrl } from './sql.js';

describe('the PostgreSQL seam', () => {
  it('numbers ? placeholders outside quoted strings and identifiers', () => {
    expect(toDollarParams(`SELECT '?' AS "a?", x FROM t WHERE a = ? AND b IN (?, ?)`)).toBe(`SELECT '?' AS "a?", x FROM t WHERE a = $1 AND b IN ($2, $3)`);
  });

  it('tells URLs from files and never shows a password', () => {
    expect(isPostgresUrl('postgres://u@h/db')).toBe(true);
    expect(isPostgresUrl('POSTGRESQL://h/db')).toBe(true);
    expect(isPostgresUrl('/home/me/postgres/tracker.db')).toBe(false);
    expect(redactUrl('postgres://me:s3cret@db.lan:5432/yoto')).toBe('postgres://me:***@db.lan:5432/yoto');
  });

  it('a server that is not there (no retry asked for) is one clear error naming the URL without its password, not a hang', async () => {
    const port = await freePort();
    let err: unknown;
    try {
      openTracker(`postgres://me:s3cret@127.0.0.1:${port}/yoto`, { connectTimeoutMs: 5_000, retryMs: 0 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TrackerError);
    expect((err as TrackerError).code).toBe('DB_UNREACHABLE');
    expect((err as Error).message).toMatch(new RegExp(`^cannot connect to tracker database postgres://me:\\*\\*\\*@127\\.0\\.0\\.1:${port}/yoto: .*ECONNREFUSED`));
    expect((err as Error).message).not.toContain('s3cret');
  });
});
