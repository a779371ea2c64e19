import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { resolveHome } from './home.js';

describe('the tracker a home records into', () => {
  it('is tracker.db in YOTO_HOME unless YOTO_TRACKER names a PostgreSQL database, shown without its password', () => {
    expect(resolveHome({ YOTO_HOME: '/r' }, '/cwd')).toMatchObject({ db: '/r/tracker.db', dbLabel: '/r/tracker.db', checkpoints: '/r/checkpoints' });
    const pg = resolveHome({ YOTO_HOME: '/r', YOTO_TRACKER: 'postgres://me:s3cret@db.lan:5432/yoto' }, '/cwd');
    expect(pg).toMatchObject({ db: 'postgres://me:s3cret@db.lan:5432/yoto', dbLabel: 'postgres://me:***@db.lan:5432/yoto', checkpoints: '/r/checkpoints' });
  });

  it('refuses a YOTO_TRACKER that is not a PostgreSQL URL in one line', () => {
    expect(() => resolveHome({ YOTO_TRACKER: '/tmp/other.db' }, '/cwd')).toThrow(UsageError);
    expect(() => resolveHome({ YOTO_TRACKER: '/tmp/other.db' }, '/cwd')).toThrow(/^YOTO_TRACKER=\/tmp\/other\.db is not a PostgreSQL URL; expected postgres:\/\//);
  });

  it('refuses a YOTO_TRACKER_RETRY_MS that is not whole milliseconds in one line, before anything starts', () => {
    const env = { YOTO_TRACKER: 'postgres://db.lan/yoto', YOTO_TRACKER_RETRY_MS: '30s' };
    expect(() => resolveHome(env, '/cwd')).toThrow(UsageError);
    expect(() => resolveHome(env, '/cwd')).toThrow(/^YOTO_TRACKER_RETRY_MS=30s must be a whole number of milliseconds \(0: do not retry\)$/);
    expect(resolveHome({ ...env, YOTO_TRACKER_RETRY_MS: '30000' }, '/cwd').db).toBe('postgres://db.lan/yoto');
  });
});
