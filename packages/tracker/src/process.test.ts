import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnWriter } from './__fixtures__/spawn.js';
import { openTracker } from './store.js';

/** Real child processes: parallel writers, signals, uncaught errors and kill -9. */
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'yoto-tracker-proc-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function inspect(db: string, name: string) {
  const t = openTracker(db, { create: false });
  try {
    const run = t.listRuns({ name })[0];
    const count = (key: string) => t.metricHistory(run.id, key).length;
    return { t, run, rows: ['loss', 'kl', 'rec', 'lr'].reduce((s, k) => s + count(k), 0), lr: t.metricHistory(run.id, 'lr') };
  } finally {
    t.close();
  }
}

describe('several processes writing one database', () => {
  // 8.5 s inside the whole `pnpm test` on 2 cores (2026-12-01); about 3× that.
  it('loses no rows and never fails with SQLITE_BUSY (4 writers × 20,000 rows in 200-row transactions)', { timeout: 25_000 }, async () => {
    const db = join(dir, 'parallel.sqlite');
    // All four open the fresh file (racing to migrate it), then start writing at the same instant.
    const startAt = Date.now() + 4_000;
    const writers = [0, 1, 2, 3].map((i) => spawnWriter(db, 'write', `w${i}`, 20_000, startAt));
    const results = await Promise.all(writers.map((w) => w.exit));
    for (const r of results) {
      expect(r.stderr).not.toMatch(/SQLITE_BUSY|database is locked/);
      expect(r).toMatchObject({ code: 0, signal: null });
    }
    const t = openTracker(db, { create: false });
    try {
      const runs = t.listRuns({ experiment: 'shared' });
      expect(runs.map((r) => r.name).sort()).toEqual(['w0', 'w1', 'w2', 'w3']);
      for (const r of runs) {
        expect(r.status).toBe('finished');
        expect(r.lastStep).toBe(4_999);
        const loss = t.metricHistory(r.id, 'loss');
        expect(loss).toHaveLength(5_000);
        expect(loss.every((p, i) => p.step === i && p.value === i)).toBe(true);
        expect(t.metricHistory(r.id, 'lr').every((p) => Number.isNaN(p.value))).toBe(true);
      }
      const total = runs.reduce((s, r) => s + ['loss', 'kl', 'rec', 'lr'].reduce((a, k) => a + t.metricHistory(r.id, k).length, 0), 0);
      expect(total).toBe(80_000);
      expect(t.evaluationPoints('shared')).toHaveLength(4 * 5 * 2);
    } finally {
      t.close();
    }
  });
});

describe('process ends', () => {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    it(`${sig} flushes buffered rows, marks the run killed and still ends the process by the signal`, async () => {
      const db = join(dir, `${sig}.sqlite`);
      const w = spawnWriter(db, 'signal', 'r', 2_000);
      await w.ready;
      w.child.kill(sig);
      const res = await w.exit;
      expect(res.signal).toBe(sig);
      const { run, rows, lr } = inspect(db, 'r');
      expect(run).toMatchObject({ status: 'killed', error: `received ${sig}`, lastStep: 499 });
      expect(run.endedAt).not.toBeNull();
      expect(rows).toBe(2_000);
      expect(lr.every((p) => Number.isNaN(p.value))).toBe(true);
    });
  }

  it('an uncaught error marks the run failed with its message', async () => {
    const db = join(dir, 'throw.sqlite');
    const res = await spawnWriter(db, 'throw', 'r', 400).exit;
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/boom in the training loop/);
    const { run, rows } = inspect(db, 'r');
    expect(run).toMatchObject({ status: 'failed', error: 'boom in the training loop' });
    expect(rows).toBe(400);
  });

  it('an unhandled rejection marks the run failed with its message', async () => {
    const db = join(dir, 'reject.sqlite');
    const res = await spawnWriter(db, 'reject', 'r', 400).exit;
    expect(res.code).not.toBe(0);
    const { run, rows } = inspect(db, 'r');
    expect(run).toMatchObject({ status: 'failed', error: 'rejected and never handled' });
    expect(rows).toBe(400);
  });

  it('process.exit() without finish() marks the run failed and keeps its rows', async () => {
    const db = join(dir, 'exit.sqlite');
    const res = await spawnWriter(db, 'exit', 'r', 400).exit;
    expect(res.code).toBe(3);
    const { run, rows } = inspect(db, 'r');
    expect(run).toMatchObject({ status: 'failed', error: 'process exited (code 3) before the run finished' });
    expect(rows).toBe(400);
  });

  it('kill -9 leaves the run running until the next open marks it crashed', async () => {
    const db = join(dir, 'kill9.sqlite');
    const w = spawnWriter(db, 'hang', 'r', 400);
    await w.ready;
    w.child.kill('SIGKILL');
    expect((await w.exit).signal).toBe('SIGKILL');
    const { run, rows } = inspect(db, 'r');
    expect(run).toMatchObject({ status: 'crashed', error: expect.stringMatching(/ended without recording the end of the run/) });
    expect(rows).toBe(400);
  });
});
