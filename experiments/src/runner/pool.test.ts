import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPool, type PoolJob } from './pool.js';

const worker = join(import.meta.dirname, '__fixtures__', 'fake-worker.ts');
const dir = mkdtempSync(join(tmpdir(), 'yoto-pool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const job = (id: string, kind: string, payload: unknown = {}): PoolJob => ({ id, kind, payload, logFile: join(dir, `${id}.log`) });

describe('runPool', () => {
  it('runs every job in its own process, at most `concurrency` at once, and forwards progress', async () => {
    let running = 0;
    let peak = 0;
    const progress: Record<string, number[]> = {};
    const outcomes = await runPool(
      ['a', 'b', 'c'].map((id) => job(id, 'count', { steps: 5, delay: 30 })),
      {
        workerModule: worker,
        concurrency: 2,
        onStart: () => {
          running++;
          peak = Math.max(peak, running);
        },
        onFinish: () => running--,
        onProgress: (id, p) => (progress[id] ??= []).push(p.step),
      },
    );
    expect(outcomes.map((o) => o.status)).toEqual(['done', 'done', 'done']);
    const results = outcomes.map((o) => (o.status === 'done' ? (o.result as { finished: number; pid: number }) : null));
    expect(results.map((r) => r?.finished)).toEqual([5, 5, 5]);
    expect(new Set(results.map((r) => r?.pid)).size).toBe(3);
    expect(peak).toBe(2);
    // The last step is always forwarded, whatever the throttling dropped before it.
    for (const id of ['a', 'b', 'c']) expect(progress[id].at(-1)).toBe(5);
  });

  it('reports a thrown error and a crash with the tail of the worker log', async () => {
    const [failed, crashed] = await runPool([job('f', 'fail'), job('x', 'crash')], { workerModule: worker, concurrency: 2 });
    expect(failed).toMatchObject({ status: 'failed', error: 'deliberate failure' });
    expect(failed.status === 'failed' && failed.logTail).toContain('about to fail');
    expect(crashed).toMatchObject({ status: 'failed', error: 'worker exited with code 7 before reporting a result' });
    expect(crashed.status === 'failed' && crashed.logTail).toContain('crashing hard');
    expect(readFileSync(join(dir, 'f.log'), 'utf8')).toContain('deliberate failure');
  });

  it('names an unknown job kind', async () => {
    const [o] = await runPool([job('u', 'nope')], { workerModule: worker, concurrency: 1 });
    expect(o.status === 'failed' && o.error).toMatch(/no handler for job kind 'nope' \(has count, fail, crash\)/);
  });

  it('on abort asks running workers to stop and never starts queued jobs', async () => {
    const controller = new AbortController();
    let started = 0;
    const outcomes = await runPool(
      ['s1', 's2', 's3'].map((id) => job(id, 'count', { steps: 10_000, delay: 5 })),
      {
        workerModule: worker,
        concurrency: 2,
        signal: controller.signal,
        onProgress: (_id, p) => {
          if (p.step >= 3) controller.abort();
        },
        onStart: () => started++,
      },
    );
    expect(started).toBe(2);
    expect(outcomes[2]).toEqual({ id: 's3', status: 'not-started' });
    for (const o of outcomes.slice(0, 2)) {
      expect(o.status).toBe('done');
      const r = (o as { result: { stoppedAt: number | null } }).result;
      expect(r.stoppedAt).not.toBeNull();
      expect(r.stoppedAt!).toBeLessThan(10_000);
    }
  });

  it('refuses a worker count that is not a positive integer', async () => {
    await expect(runPool([], { workerModule: worker, concurrency: 0 })).rejects.toThrow(/positive integer, got 0/);
  });
});
