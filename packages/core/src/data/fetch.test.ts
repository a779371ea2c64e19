import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDataset } from './dataset.js';
import { fetchDataset } from './fetch.js';
import { readTar } from './tar.js';

const work = mkdtempSync(join(tmpdir(), 'yoto-fetch-'));
const sha = (s: string | Uint8Array): string => createHash('sha256').update(s).digest('hex');
const served = new Map<string, Uint8Array>();
let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    const body = served.get(req.url ?? '');
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.from(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(work, { recursive: true, force: true });
});

/** Every file under dir, relative, to check that no temp file is left behind. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name).slice(dir.length + 1))
    .sort();
}

describe('fetchDataset from per-file addresses', () => {
  it('downloads, falls back to a mirror, keeps .gz, verifies and is idempotent', async () => {
    served.set('/mirror/a.txt', new TextEncoder().encode('alpha'));
    served.set('/b.idx.gz', gzipSync('beta'));
    registerDataset({
      name: 'test-fetch-files',
      folder: 'files',
      description: 'per-file test',
      homepage: 'http://example.org',
      licence: 'test',
      files: [
        { path: 'a.txt', sha256: sha('alpha'), urls: [`${base}/missing/a.txt`, `${base}/mirror/a.txt`] },
        { path: 'sub/b.idx', sha256: sha('beta'), gzip: true, urls: [`${base}/b.idx.gz`] },
      ],
    });
    const root = join(work, 'root1');
    const lines: string[] = [];
    const { dir, report } = await fetchDataset('test-fetch-files', { root, log: (l) => lines.push(l) });
    expect(report.ok).toBe(true);
    expect(report.verified).toBe(2);
    expect(tree(dir)).toEqual(['a.txt', 'sub/b.idx.gz']);
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('alpha');
    // A second fetch finds everything verified and downloads nothing.
    served.clear();
    lines.length = 0;
    await fetchDataset('test-fetch-files', { root, log: (l) => lines.push(l) });
    expect(lines.some((l) => l.includes('to download'))).toBe(false);
  });

  it('refuses content with the wrong checksum, naming file and both hashes, and writes nothing', async () => {
    served.set('/c.txt', new TextEncoder().encode('evil'));
    registerDataset({
      name: 'test-fetch-bad',
      folder: 'bad',
      description: 'bad checksum',
      homepage: 'http://example.org',
      licence: 'test',
      files: [{ path: 'c.txt', sha256: sha('good'), urls: [`${base}/c.txt`] }],
    });
    const root = join(work, 'root2');
    await expect(fetchDataset('test-fetch-bad', { root })).rejects.toThrow(`c.txt: ${base}/c.txt: sha256 ${sha('evil')}, expected ${sha('good')}`);
    expect(existsSync(join(root, 'bad', 'c.txt'))).toBe(false);
    expect(existsSync(join(root, 'bad')) ? tree(join(root, 'bad')) : []).toEqual([]);
  });

  it('replaces a corrupted local file', async () => {
    served.set('/d.txt', new TextEncoder().encode('delta'));
    registerDataset({
      name: 'test-fetch-repair',
      folder: 'repair',
      description: 'repair',
      homepage: 'http://example.org',
      licence: 'test',
      files: [{ path: 'd.txt', sha256: sha('delta'), urls: [`${base}/d.txt`] }],
    });
    const root = join(work, 'root3');
    mkdirSync(join(root, 'repair'), { recursive: true });
    writeFileSync(join(root, 'repair', 'd.txt'), 'bit rot');
    await fetchDataset('test-fetch-repair', { root });
    expect(readFileSync(join(root, 'repair', 'd.txt'), 'utf8')).toBe('delta');
  });

  it('reports an unreachable server per file', async () => {
    registerDataset({
      name: 'test-fetch-offline',
      folder: 'offline',
      description: 'offline',
      homepage: 'http://example.org',
      licence: 'test',
      files: [{ path: 'e.txt', sha256: sha('e'), urls: ['http://127.0.0.1:1/e.txt'] }],
    });
    await expect(fetchDataset('test-fetch-offline', { root: join(work, 'root4') })).rejects.toThrow(/e\.txt: http:\/\/127\.0\.0\.1:1\/e\.txt: fetch failed[\s\S]*1 missing/);
  });
});

let hasTar = true;
try {
  execFileSync('tar', ['--version'], { stdio: 'ignore' });
} catch {
  hasTar = false;
}

describe.skipIf(!hasTar)('fetchDataset from a tar.gz archive (skipped: no system tar to build one)', () => {
  it('unpacks the mapped members only, verified', async () => {
    const src = join(work, 'src');
    mkdirSync(join(src, 'pkg', 'images', 'train'), { recursive: true });
    mkdirSync(join(src, 'pkg', 'other'), { recursive: true });
    writeFileSync(join(src, 'pkg', 'images', 'train', '1.jpg'), 'one');
    writeFileSync(join(src, 'pkg', 'images', 'train', 'Thumbs.db'), 'junk');
    writeFileSync(join(src, 'pkg', 'other', 'x.mat'), 'mat');
    // A long name exercises the GNU/pax long-name records.
    const long = `${'n'.repeat(120)}.jpg`;
    writeFileSync(join(src, 'pkg', 'images', 'train', long), 'long');
    const tgz = join(work, 'a.tgz');
    execFileSync('tar', ['-czf', tgz, '-C', src, 'pkg']);
    served.set('/a.tgz', readFileSync(tgz));
    const tarPaths = [...readTar(execFileSync('gzip', ['-dc', tgz]))].map((e) => e.path).sort();
    expect(tarPaths).toContain(`pkg/images/train/${long}`);
    registerDataset({
      name: 'test-fetch-archive',
      folder: 'arch',
      description: 'archive',
      homepage: 'http://example.org',
      licence: 'test',
      archive: {
        url: `${base}/a.tgz`,
        format: 'tar.gz',
        member: (p) => {
          const m = /^pkg\/images\/(train)\/([^/]+\.jpg)$/.exec(p);
          return m ? `${m[1]}/${m[2]}` : null;
        },
      },
      files: [
        { path: 'train/1.jpg', sha256: sha('one') },
        { path: `train/${long}`, sha256: sha('long') },
        { path: 'ids.txt', optional: true },
      ],
    });
    const { dir, report } = await fetchDataset('test-fetch-archive', { root: join(work, 'root5') });
    expect(report.ok).toBe(true);
    expect(tree(dir)).toEqual([`train/${long}`, 'train/1.jpg'].sort());
  });
});

describe('readTar', () => {
  it('rejects a corrupt tar header', () => {
    const bytes = new Uint8Array(1024);
    bytes.set(new TextEncoder().encode('file.txt'), 0);
    bytes.set(new TextEncoder().encode('0000001'), 148);
    expect(() => [...readTar(bytes, 'x.tar')]).toThrow('x.tar: corrupt tar header at byte 0 (checksum mismatch)');
  });
});
