// A truncated checkpoint is named once, with how to recover, before any worker starts (it failed in
// every job that loaded it, each with a stack trace and no hint).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeCheckpoint } from '@yoto/core';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../errors.js';
import { checkCheckpoints } from './checkpoint-check.js';
import type { Decision } from './resume.js';
import type { RunIdentity } from './identity.js';

const dir = mkdtempSync(join(tmpdir(), 'yoto-ckpt-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('checkCheckpoints', () => {
  it('passes intact checkpoints and names a truncated one with the recovery', async () => {
    const good = encodeCheckpoint({ task: 't', step: 3, rngState: null, config: {}, space: null, conditioned: true, params: {}, adam: null });
    writeFileSync(join(dir, '1.ckpt'), good);
    writeFileSync(join(dir, '2.ckpt'), good.subarray(0, good.length - 7));
    const run = (id: number) => ({ id, name: `smoke/yoto/${id}`, status: 'killed' as const, hasCheckpoint: true, ownerAlive: false, error: null });
    const identity = {} as RunIdentity;
    const at = (id: number): string => join(dir, `${id}.ckpt`);
    await expect(checkCheckpoints([{ action: 'resume', identity, run: run(1) }], at)).resolves.toBeUndefined();
    const decisions: Decision[] = [{ action: 'reuse', identity, run: run(1) }, { action: 'resume', identity, run: run(2) }];
    const err = await checkCheckpoints(decisions, at).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(new RegExp(`^run smoke/yoto/2 \\(#2\\): checkpoint ${at(2)}.*is truncated`));
    expect((err as Error).message).toContain(`to recover, delete ${at(2)} and run the same command again`);
    expect(readFileSync(at(2)).length).toBe(good.length - 7); // reported, not touched
  });
});
