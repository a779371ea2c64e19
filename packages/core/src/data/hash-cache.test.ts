// Verification with a hash cache: an unchanged file (same size and mtime) is not read again, and any
// rewrite that moves the mtime is hashed afresh.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JsonHashCache } from './hash-cache.js';
import { verifyFolder } from './verify.js';

const dir = mkdtempSync(join(tmpdir(), 'yoto-hash-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

describe('verifyFolder with a JsonHashCache', () => {
  it('trusts a cached hash while size and mtime are unchanged, and rehashes after a rewrite', async () => {
    const file = join(dir, 'a.png');
    writeFileSync(file, 'original');
    const mtime = new Date('2026-01-02T03:04:05Z'); // whole seconds: restored exactly below
    utimesSync(file, mtime, mtime);
    const files = [{ path: 'a.png', sha256: sha('original') }];
    const cachePath = join(dir, 'cache', 'verified.json');
    const first = new JsonHashCache(cachePath);
    expect((await verifyFolder('t', dir, files, { cache: first })).verified).toBe(1);
    await first.save();

    // Same size, same mtime, other bytes: only a cache hit can still call it verified — the proof
    // that a rerun reads nothing.
    writeFileSync(file, 'tampered');
    utimesSync(file, mtime, mtime);
    expect((await verifyFolder('t', dir, files, { cache: new JsonHashCache(cachePath) })).verified).toBe(1);

    // Any rewrite moves the mtime: hashed again, and the mismatch is found.
    utimesSync(file, mtime, new Date(mtime.getTime() + 2000));
    const again = await verifyFolder('t', dir, files, { cache: new JsonHashCache(cachePath) });
    expect(again.ok).toBe(false);
    expect(again.mismatched[0]).toMatchObject({ path: 'a.png', actual: sha('tampered') });
  });

  it('an unreadable cache file is an empty cache', async () => {
    writeFileSync(join(dir, 'broken.json'), '{not json');
    const cache = new JsonHashCache(join(dir, 'broken.json'));
    expect(cache.get('x', 1, 1)).toBeUndefined();
  });
});
