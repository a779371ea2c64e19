// `exp run compression-rd-sweep` checks its datasets before training: a corrupt Kodak image and a
// truncated BSDS500 JPEG are named with the command that mends them (they surfaced after 80 minutes
// of training, or as "decoding 400 images failed" with a tfjs stack trace).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { findDataset } from '@yoto/core';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../errors.js';
import { verifyDatasets } from './verify-datasets.js';

const data = process.env.YOTO_DATA;
const have = data !== undefined && findDataset('kodak', data) !== null && findDataset('bsds500', data) !== null;
const dir = mkdtempSync(join(tmpdir(), 'yoto-verify-ds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A data root whose files are links to the shared data's, so one of them can be spoiled cheaply. */
function mirror(dataset: string): string {
  const root = join(dir, 'data');
  const walk = (from: string): void => {
    for (const name of readdirSync(from)) {
      const p = join(from, name);
      const to = join(root, dataset, relative(join(data!, dataset), p));
      if (statSync(p).isDirectory()) {
        mkdirSync(to, { recursive: true });
        walk(p);
      } else symlinkSync(p, to);
    }
  };
  mkdirSync(join(root, dataset), { recursive: true });
  walk(join(data!, dataset));
  return root;
}

describe.skipIf(!have)('verifyDatasets (skipped: datasets kodak and bsds500 not under YOTO_DATA)', () => {
  it('passes the real data, then names a corrupt Kodak image and a truncated BSDS500 JPEG', async () => {
    const root = mirror('kodak');
    mirror('bsds500');
    const env = { YOTO_DATA: root, XDG_CACHE_HOME: join(dir, 'cache') };
    await verifyDatasets(['bsds500', 'kodak'], env);
    expect(statSync(join(dir, 'cache', 'yoto', 'verified-files.json')).size).toBeGreaterThan(1000);

    const kodim = join(root, 'kodak', 'kodim07.png');
    const bytes = readFileSync(kodim);
    bytes[bytes.length >> 1] ^= 0xff;
    unlinkSync(kodim);
    writeFileSync(kodim, bytes);
    const k = await verifyDatasets(['bsds500', 'kodak'], env).catch((e: unknown) => e);
    expect(k).toBeInstanceOf(DataError);
    expect((k as Error).message).toMatch(new RegExp(`^dataset kodak: ${kodim} is not the expected file \\(sha256 [0-9a-f]{12}…, expected [0-9a-f]{12}…\\)\\n`));
    expect((k as Error).message).toContain('`pnpm data fetch kodak` replaces what is corrupt or missing; `pnpm data verify kodak` lists every problem');

    const jpeg = join(root, 'bsds500', 'train', readdirSync(join(root, 'bsds500', 'train')).find((f) => f.endsWith('.jpg'))!);
    const whole = readFileSync(jpeg);
    unlinkSync(jpeg);
    writeFileSync(jpeg, whole.subarray(0, whole.length >> 1));
    const b = await verifyDatasets(['bsds500', 'kodak'], env).catch((e: unknown) => e);
    expect((b as Error).message).toContain(`dataset bsds500: ${jpeg} is not the expected file`);
    expect((b as Error).message).toContain('`pnpm data fetch bsds500`');
  });
});
