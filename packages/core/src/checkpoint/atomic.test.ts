import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// Simulates a crash between writing the temporary file and renaming it over the target.
const failure = vi.hoisted(() => ({ rename: false, sync: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...fs,
    rename: async (from: string, to: string) => {
      if (failure.rename) throw new Error('simulated crash before rename');
      return fs.rename(from, to);
    },
    open: async (...args: Parameters<typeof fs.open>) => {
      const fh = await fs.open(...args);
      if (!failure.sync) return fh;
      return Object.assign(Object.create(fh) as typeof fh, {
        writeFile: (data: Uint8Array) => fh.writeFile(data.subarray(0, data.length >> 1)),
        sync: async () => {
          throw new Error('simulated I/O error during fsync');
        },
        close: () => fh.close(),
      });
    },
  };
});

const { writeFileAtomic } = await import('./atomic.js');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yoto-atomic-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('replaces the file, creating directories, leaving no temporary files', async () => {
    const path = join(dir, 'sub', 'f.bin');
    await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    await writeFileAtomic(path, new Uint8Array([4, 5]));
    expect([...(await readFile(path))]).toEqual([4, 5]);
    expect(await readdir(join(dir, 'sub'))).toEqual(['f.bin']);
  });

  it('never lets a failed or half-finished write replace a good file', async () => {
    const path = join(dir, 'good.bin');
    await writeFile(path, new Uint8Array([9, 9, 9]));
    failure.rename = true;
    await expect(writeFileAtomic(path, new Uint8Array([1, 2, 3, 4]))).rejects.toThrow(/simulated crash/);
    failure.rename = false;
    failure.sync = true;
    await expect(writeFileAtomic(path, new Uint8Array([1, 2, 3, 4]))).rejects.toThrow(/simulated I\/O error/);
    failure.sync = false;
    expect([...(await readFile(path))]).toEqual([9, 9, 9]);
    expect((await readdir(dir)).filter((n) => n.includes('good'))).toEqual(['good.bin']);
  });
});
