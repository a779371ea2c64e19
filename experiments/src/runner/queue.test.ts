import { freePort } from '@yoto/test-servers';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { checkRedis, queueJobId, redisConnection } from './queue.js';

describe('the queue URL', () => {
  it('parses host, port, credentials and database, and waits through restarts', () => {
    expect(redisConnection('redis://me:p%40ss@queue.lan:6380/2')).toMatchObject({
      host: 'queue.lan',
      port: 6380,
      username: 'me',
      password: 'p@ss',
      db: 2,
      maxRetriesPerRequest: null,
    });
    expect(redisConnection('redis://queue.lan')).toMatchObject({ host: 'queue.lan', port: 6379, db: 0 });
  });

  it('refuses what is not a redis:// URL in one line', () => {
    expect(() => redisConnection('queue.lan:6379')).toThrow(UsageError);
    expect(() => redisConnection('http://queue.lan:6379')).toThrow(/^--queue http:\/\/queue\.lan:6379 is not a redis:\/\/ URL/);
    expect(() => redisConnection('redis://q/x')).toThrow(/database 'x' is not a number/);
  });

  it('nothing listening is one clear error without the password, not an endless reconnect', async () => {
    const port = await freePort();
    const err = await checkRedis(`redis://me:s3cret@127.0.0.1:${port}`, 3_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(new RegExp(`^cannot reach the queue at redis://me:\\*\\*\\*@127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
    expect((err as Error).message).not.toContain('s3cret');
  });

  it("job ids are the record, kind and key, without BullMQ's reserved ':'", () => {
    expect(queueJobId('vae@smoke', { id: 'yoto', key: 'smoke/yoto/ab:cd', kind: 'train', payload: null, logFile: '' })).toBe('vae@smoke|train|smoke/yoto/ab_cd');
    expect(queueJobId('vae', { id: 'pictures', kind: 'pictures', payload: null, logFile: '' })).toBe('vae|pictures|pictures');
  });
});
