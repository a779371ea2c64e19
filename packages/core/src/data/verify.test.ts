import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import './catalog.js';
import { findDataset, getDataset } from './dataset.js';
import { manifestSubset, parseSha256Manifest } from './manifest.js';
import { formatVerifyReport, sha256File, verifyDataset, verifyFolder } from './verify.js';

const dir = mkdtempSync(join(tmpdir(), 'yoto-verify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sha = (s: string | Uint8Array): string => createHash('sha256').update(s).digest('hex');

describe('verifyFolder', () => {
  it('reports matches, mismatches, missing and unchecked files separately', async () => {
    mkdirSync(join(dir, 'd', 'sub'), { recursive: true });
    writeFileSync(join(dir, 'd', 'good.txt'), 'good');
    writeFileSync(join(dir, 'd', 'sub', 'bad.txt'), 'tampered');
    writeFileSync(join(dir, 'd', 'free.txt'), 'no checksum');
    writeFileSync(join(dir, 'd', 'packed.idx.gz'), gzipSync('content'));
    const r = await verifyFolder('t', join(dir, 'd'), [
      { path: 'good.txt', sha256: sha('good') },
      { path: 'sub/bad.txt', sha256: sha('original') },
      { path: 'gone.txt', sha256: sha('x') },
      { path: 'gone-but-optional.txt', sha256: sha('x'), optional: true },
      { path: 'free.txt' },
      { path: 'packed.idx', sha256: sha('content'), gzip: true },
    ]);
    expect(r.ok).toBe(false);
    expect(r.verified).toBe(2);
    expect(r.missing).toEqual(['gone.txt']);
    expect(r.unchecked).toEqual(['free.txt']);
    expect(r.mismatched).toEqual([{ path: 'sub/bad.txt', file: join(dir, 'd', 'sub', 'bad.txt'), expected: sha('original'), actual: sha('tampered') }]);
    const text = formatVerifyReport(r);
    expect(text).toContain('FAILED (2 verified, 1 without checksum, 1 missing, 1 mismatched, 0 unreadable)');
    expect(text).toContain(`mismatch    sub/bad.txt: expected sha256 ${sha('original')}`);
    expect(text).toContain('missing     gone.txt');
  });

  it('reports a corrupt gzip file as unreadable instead of throwing', async () => {
    writeFileSync(join(dir, 'broken.idx.gz'), gzipSync('some content').subarray(0, 12));
    const r = await verifyFolder('t', dir, [{ path: 'broken.idx', sha256: sha('some content'), gzip: true }]);
    expect(r.ok).toBe(false);
    expect(r.unreadable[0].path).toBe('broken.idx');
  });

  it('hashes files like sha256sum', async () => {
    writeFileSync(join(dir, 'h.bin'), 'abc');
    expect(await sha256File(join(dir, 'h.bin'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

// The shared data root carries its own manifest; both must agree with the checksums built into core.
const dataRoot = process.env.YOTO_DATA;
const manifestPath = dataRoot ? join(dataRoot, 'MANIFEST.sha256') : '';
const hasKodak = dataRoot !== undefined && findDataset('kodak', dataRoot) !== null;

describe.skipIf(!hasKodak)('kodak in the data root (skipped: dataset kodak not under YOTO_DATA)', () => {
  it('matches every built-in checksum', async () => {
    const r = await verifyDataset('kodak', dataRoot);
    expect(formatVerifyReport(r)).toMatch(/OK \(24 verified/);
  });

});

const hasBsds = dataRoot !== undefined && findDataset('bsds500', dataRoot) !== null;
describe.skipIf(!hasBsds)('bsds500 in the data root (skipped: dataset bsds500 not under YOTO_DATA)', () => {
  it('matches every built-in checksum', async () => {
    const r = await verifyDataset('bsds500', dataRoot);
    expect(r.ok).toBe(true);
    expect(r.verified).toBe(501);
  });
});

describe.skipIf(!existsSync(manifestPath))('the data root manifest (skipped: no MANIFEST.sha256 under YOTO_DATA)', () => {
  it('lists the same checksums as the built-in kodak, bsds500, style and weights entries', () => {
    const all = parseSha256Manifest(readFileSync(manifestPath, 'utf8'), manifestPath);
    for (const name of ['kodak', 'bsds500', 'style', 'weights']) {
      const builtIn = getDataset(name).files.map((f) => ({ path: f.path, sha256: f.sha256 }));
      expect(manifestSubset(all, name)).toEqual(builtIn);
    }
  });
});
