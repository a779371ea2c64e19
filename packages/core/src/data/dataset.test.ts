import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILTIN_DATASETS } from './catalog.js';
import { DatasetNotFoundError, datasetPath, findDataset, getDataset, registerDataset, requireDataset } from './dataset.js';
import { manifestSubset, parseSha256Manifest } from './manifest.js';

const root = mkdtempSync(join(tmpdir(), 'yoto-ds-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const sha = (s: string | Uint8Array): string => createHash('sha256').update(s).digest('hex');

registerDataset({
  name: 'test-presence',
  folder: 'presence',
  description: 'two files and an optional one',
  homepage: 'https://example.org/presence',
  licence: 'test licence',
  files: [{ path: 'a.txt' }, { path: 'sub/b.idx', gzip: true }, { path: 'notes.txt', optional: true }],
});

describe('dataset registry', () => {
  it('registers the built-in datasets with checksums and sources', () => {
    expect(getDataset('kodak').files).toHaveLength(24);
    expect(getDataset('kodak').files[0]).toMatchObject({ path: 'kodim01.png', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(getDataset('bsds500').files.filter((f) => f.path.endsWith('.jpg'))).toHaveLength(500);
    expect(getDataset('bsds500').archive?.member('BSR/BSDS500/data/images/val/3096.jpg')).toBe('val/3096.jpg');
    expect(getDataset('bsds500').archive?.member('BSR/BSDS500/data/groundTruth/val/3096.mat')).toBeNull();
    expect(getDataset('style').files.filter((f) => f.path.startsWith('styles/'))).toHaveLength(15);
    expect(getDataset('style').files.every((f) => f.urls?.length === 1)).toBe(true);
    // The style task's loss networks: both model.json files, each file with the one address it was published at.
    const weights = getDataset('weights').files;
    expect(weights.filter((f) => f.path.endsWith('/model.json')).map((f) => f.path)).toEqual([
      'darknet_tiny_imagenet_tfjs/model.json',
      'mobilenet_v1_1.0_224_imagenet_tfjs/model.json',
    ]);
    expect(weights.find((f) => f.path === 'mobilenet_v1_1.0_224_imagenet_tfjs/group1-shard1of1')?.urls).toEqual([
      'https://raw.githubusercontent.com/kostasx/tfjs-mobilenet-offline-model/e83b439e762a98ab8ce0dfb03a5c9918214f10cb/models/v1_1.0_224/group1-shard1of1',
    ]);
    expect(weights.every((f) => f.urls?.length === 1)).toBe(true);
    expect(getDataset('fashion-mnist').files.map((f) => f.path)).toContain('t10k-images-idx3-ubyte');
    for (const name of BUILTIN_DATASETS) expect(getDataset(name).homepage).toMatch(/^https?:\/\//);
  });

  it('rejects unknown names, duplicates and escaping paths', () => {
    expect(() => getDataset('nope')).toThrow(/unknown dataset 'nope'; known datasets: .*bsds500.*kodak/);
    expect(() => registerDataset({ ...getDataset('test-presence') })).toThrow(/already registered/);
    expect(() =>
      registerDataset({ name: 'test-escape', folder: 'x', description: '', homepage: '', licence: '', files: [{ path: '../etc/passwd' }] }),
    ).toThrow(/must be relative and stay inside/);
  });

  it('finds a dataset only when every required file is present, accepting .gz where allowed', () => {
    const dir = datasetPath('test-presence', root);
    expect(dir).toBe(join(root, 'presence'));
    expect(findDataset('test-presence', root)).toBeNull();
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'a.txt'), 'a');
    expect(findDataset('test-presence', root)).toBeNull();
    writeFileSync(join(dir, 'sub', 'b.idx.gz'), gzipSync('b'));
    expect(findDataset('test-presence', root)).toBe(dir);
    expect(requireDataset('test-presence', root)).toBe(dir);
  });

  it('falls back to a system install folder when the data root lacks the dataset, preferring the data root', () => {
    const system = join(root, 'usr-share-sys');
    registerDataset({ name: 'test-system', folder: 'sys', description: 'one file', homepage: 'https://example.org/sys', licence: 'test', systemPaths: [system], files: [{ path: 'x.idx', gzip: true }] });
    const dataRoot = join(root, 'sys-root');
    expect(findDataset('test-system', dataRoot)).toBeNull();
    mkdirSync(system, { recursive: true });
    writeFileSync(join(system, 'x.idx.gz'), gzipSync('x'));
    expect(findDataset('test-system', dataRoot)).toBe(system);
    mkdirSync(join(dataRoot, 'sys'), { recursive: true });
    writeFileSync(join(dataRoot, 'sys', 'x.idx'), 'x');
    expect(findDataset('test-system', dataRoot)).toBe(join(dataRoot, 'sys'));
    // Fashion-MNIST names the folder Debian's dataset-fashion-mnist package installs into.
    expect(getDataset('fashion-mnist').systemPaths).toContain('/usr/share/datasets/fashion-mnist');
  });

  it('explains a missing dataset: name, data root, what is missing and how to get it', () => {
    const other = join(root, 'empty-root');
    let err: unknown;
    try {
      requireDataset('kodak', other);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DatasetNotFoundError);
    const msg = (err as Error).message;
    expect(msg).toContain(`dataset 'kodak'`);
    expect(msg).toContain(`data root ${other} (given explicitly)`);
    expect(msg).toContain(`${join(other, 'kodak')} does not exist`);
    expect(msg).toContain('http://r0k.us/graphics/kodak/');
    expect(msg).toContain('cli.ts fetch kodak');
    mkdirSync(join(other, 'kodak'), { recursive: true });
    writeFileSync(join(other, 'kodak', 'kodim01.png'), 'x');
    expect(() => requireDataset('kodak', other)).toThrow(/lacks 23 of its 24 files \(first: kodim02.png, kodim03.png, kodim04.png\)/);
  });
});

describe('sha256 manifests', () => {
  it('parses sha256sum output, drops ./ and binary markers, and cuts subsets', () => {
    const a = sha('a');
    const text = `# comment\n${a}  ./kodak/kodim01.png\n\n${sha('b')} *./bsds500/val/1.jpg\n`;
    const entries = parseSha256Manifest(text);
    expect(entries).toEqual([
      { path: 'kodak/kodim01.png', sha256: a },
      { path: 'bsds500/val/1.jpg', sha256: sha('b') },
    ]);
    expect(manifestSubset(entries, 'kodak')).toEqual([{ path: 'kodim01.png', sha256: a }]);
  });

  it('names the line of a malformed or duplicated entry', () => {
    expect(() => parseSha256Manifest(`${sha('a')}  x\nnot a line\n`, 'M.sha256')).toThrow(`M.sha256, line 2: expected '<64 hex digits>  <path>', got 'not a line'`);
    expect(() => parseSha256Manifest(`${sha('a')}  x\n${sha('b')}  ./x\n`)).toThrow(/line 2: 'x' is listed twice/);
  });
});
