// A PostgreSQL tracker whose server goes away: calls wait (bounded, saying so in one line) and go
// on once it is back, with nothing lost or written twice; past the bound, one clear error.
import { createConnection } from 'node:net';
import { freePort, startPostgres } from '@yoto/test-servers';
import { afterAll, describe, expect, it } from 'vitest';
import { TrackerError } from '../errors.js';
import { openTracker } from '../store.js';
import { retryMsFromEnv } from './retry.js';

const pg = await startPostgres();
afterAll(() => {
  if (pg.ok) pg.server.stop();
});

/** Whether something accepts connections on 127.0.0.1:`port`. */
const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('YOTO_TRACKER_RETRY_MS', () => {
  it('defaults to a minute, takes whole milliseconds (0: no retry), and names itself when it is not one', () => {
    expect(retryMsFromEnv({})).toBe(60_000);
    expect(retryMsFromEnv({ YOTO_TRACKER_RETRY_MS: ' 2500 ' })).toBe(2_500);
    expect(retryMsFromEnv({ YOTO_TRACKER_RETRY_MS: '0' })).toBe(0);
    for (const bad of ['-1', '1.5', '10s', 'soon']) {
      const err = thrown(() => retryMsFromEnv({ YOTO_TRACKER_RETRY_MS: bad }));
      expect(err.message).toBe(`YOTO_TRACKER_RETRY_MS=${bad} must be a whole number of milliseconds (0: do not retry)`);
    }
  });

  it('a server that stays away: one waiting line, then one error naming the bound, not a hang', async () => {
    const port = await freePort();
    const lines: string[] = [];
    const err = thrown(() => openTracker(`postgres://me:s3cret@127.0.0.1:${port}/yoto`, { retryMs: 1_200, log: (l) => lines.push(l) }));
    expect(err).toBeInstanceOf(TrackerError);
    expect((err as TrackerError).code).toBe('DB_UNREACHABLE');
    expect(err.message).toMatch(
      new RegExp(`^cannot connect to tracker database postgres://me:\\*\\*\\*@127\\.0\\.0\\.1:${port}/yoto: .*ECONNREFUSED.* \\(gave up after retrying for \\d+(\\.\\d)? s; YOTO_TRACKER_RETRY_MS sets how long\\)$`),
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^cannot connect to tracker database postgres:\/\/me:\*\*\*@.*ECONNREFUSED.*; retrying for up to 1\.2 s \(YOTO_TRACKER_RETRY_MS\)$/);
    expect(lines.join('\n')).not.toContain('s3cret');
  });
});

describe.skipIf(!pg.ok)(`a PostgreSQL server restarting under a run${pg.ok ? '' : ` (skipped: ${pg.why})`}`, () => {
  it('a run logging through the restart waits for the server and loses or repeats no step', async () => {
    if (!pg.ok) return;
    const url = pg.server.createDatabase();
    const port = Number(new URL(url).port);
    const lines: string[] = [];
    const t = openTracker(url, { flushIntervalMs: 3_600_000, retryMs: 120_000, log: (l) => lines.push(l) });
    try {
      t.createExperiment({ name: 'e' });
      const run = t.startRun({ experiment: 'e', name: 'r', kind: 'yoto', gitRevision: null });
      for (let step = 0; step < 100; step++) run.logMetrics(step, { loss: 1 / (step + 1) });
      run.flush();

      // Down for 2 s: the flush below runs while nothing listens, and must wait for the restart.
      const back = pg.server.restart(2_000);
      while (await accepts(port)) await new Promise((r) => setTimeout(r, 50));
      // Steps 90-149: the ten already written are logged again (as a resumed run does), the rest are new.
      for (let step = 90; step < 150; step++) run.logMetrics(step, { loss: 1 / (step + 1) });
      run.flush();
      await back;
      for (let step = 150; step < 200; step++) run.logMetrics(step, { loss: 1 / (step + 1) });
      run.finish();

      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^tracker database postgres:\/\/postgres@127\.0\.0\.1:\d+\/\w+: .+; retrying for up to 120 s \(YOTO_TRACKER_RETRY_MS\)$/);
      expect(lines[1]).toMatch(/^tracker database postgres:\/\/.*: reconnected after \d+(\.\d)? s$/);
      const history = t.metricHistory(run.id, 'loss');
      expect(history.map((p) => p.step)).toEqual(Array.from({ length: 200 }, (_, i) => i));
      expect(history.map((p) => p.value)).toEqual(Array.from({ length: 200 }, (_, i) => 1 / (i + 1)));
      expect(t.getRun(run.id)).toMatchObject({ status: 'finished', lastStep: 199 });
    } finally {
      t.close();
    }
  });
});
