// exp run --queue over three exp worker processes on loopback, once with each tracker (the SQLite
// file in the shared YOTO_HOME, and PostgreSQL through YOTO_TRACKER): one worker is killed with -9
// mid-run (its run is taken by another worker when the lock expires and resumes from its checkpoint),
// Redis restarts mid-sweep (everyone reconnects), a second submission attaches to the first, and with
// PostgreSQL its server restarts too while runs log (their processes wait for it and go on). The
// result must be what a local run of the same profile and seed gives: the same metric steps and
// evaluations, none lost or written twice.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres, startRedis } from '@yoto/test-servers';
import { openTracker } from '@yoto/tracker';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnCli, type CliProcess } from '../testing/cli-process.js';

// One server of each per file; each PostgreSQL sweep gets a database of its own.
const redis = await startRedis();
const pg = await startPostgres();
const RECORD = 'vae-beta-sweep@smoke';
const SWEEP = ['run', 'vae-beta-sweep', '--profile', 'smoke', '--json'];
const root = mkdtempSync(join(tmpdir(), 'yoto-queue-'));
afterAll(() => {
  if (redis.ok) redis.server.stop();
  if (pg.ok) pg.server.stop();
  rmSync(root, { recursive: true, force: true });
});

/** Where a queued sweep records: the tracker's location and the env that points every process at it. */
interface TrackerSetup {
  name: string;
  skip: string | null;
  at(home: string): { location: string; env: Record<string, string> };
}

const TRACKERS: TrackerSetup[] = [
  // An empty YOTO_TRACKER: the file in YOTO_HOME even where the caller's environment names a server.
  { name: 'the SQLite tracker', skip: null, at: (home) => ({ location: join(home, 'tracker.db'), env: { YOTO_TRACKER: '' } }) },
  {
    name: 'the PostgreSQL tracker',
    skip: pg.ok ? null : pg.why,
    at: () => {
      const url = pg.ok ? pg.server.createDatabase() : '';
      return { location: url, env: { YOTO_TRACKER: url } };
    },
  },
];

const cli = (args: string[], home: string, env: Record<string, string>): CliProcess => spawnCli(args, { YOTO_HOME: home, ...env });

const lastJson = (out: string) => JSON.parse(out.trim().split('\n').at(-1)!) as { status: string; runs: { runId: number; name: string; action: string; resumedFrom: number }[] };

type Recorded = ReturnType<typeof recorded>;

/** Everything the tracker holds that must not depend on where runs trained: steps and evaluations by run name. */
function recorded(location: string) {
  const t = openTracker(location, { create: false });
  try {
    const runs = t.listRuns({ experiment: RECORD });
    const steps = Object.fromEntries(runs.map((r) => [r.name, Object.fromEntries(t.metricKeys(r.id).map((k) => [k, t.metricHistory(r.id, k).map((p) => p.step)]))]));
    const byId = new Map(runs.map((r) => [r.id, r.name]));
    const evaluations = t
      .evaluationPoints(RECORD)
      .map((e) => `${byId.get(e.runId)} ${JSON.stringify(e.lambda)} ${e.metric}=${e.value}`)
      .sort();
    return { statuses: runs.map((r) => r.status), steps, evaluations };
  } finally {
    t.close();
  }
}

let reference: Promise<Recorded> | null = null;

/** What a local run of the same profile and seed records: trained once, for every queued sweep to match. */
function localReference(): Promise<Recorded> {
  reference ??= (async () => {
    const home = join(root, 'local');
    // One thread per job process on both sides: native kernels sum in a thread-count-dependent order,
    // which moves evaluations by a float32 ulp (seen with 1 vs 2 threads), not by where a job ran.
    const local = await cli([...SWEEP, '--workers', '2'], home, { YOTO_THREADS: '1', YOTO_TRACKER: '' }).done;
    expect(local.code, local.stderr).toBe(0);
    return recorded(join(home, 'tracker.db'));
  })();
  return reference;
}

/** The job processes' output (each job's log in the shared YOTO_HOME). */
function jobLogs(home: string): string {
  const dir = join(home, 'logs');
  return existsSync(dir) ? readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n') : '';
}

/** The parent pid of `pid`, from /proc (the worker whose job process trains a run). */
function parentOf(pid: number): number | null {
  try {
    return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1]);
  } catch {
    return null;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const tracker of TRACKERS) {
  const skip = redis.ok ? tracker.skip : redis.why;
  const postgres = tracker.name.includes('PostgreSQL');
  describe.skipIf(skip !== null)(`exp run --queue over three exp workers, recording into ${tracker.name}${skip ? ` (skipped: ${skip})` : ''}`, () => {
    it(`survives a worker killed -9 and a Redis restart${postgres ? ' and a PostgreSQL restart' : ''}, trains nothing twice, and records what a local run records`, { timeout: 1_500_000 }, async () => {
      if (!redis.ok) return;
      const url = redis.server.url;
      const reference = await localReference();
      const queueHome = join(root, `queued-${TRACKERS.indexOf(tracker)}`);
      const { location, env } = tracker.at(queueHome);

      // A short lock: a dead worker's job is handed on after ~3 s instead of 30.
      const workers = [0, 1, 2].map(() => cli(['worker', '--queue', url], queueHome, { ...env, YOTO_QUEUE_LOCK_MS: '3000', YOTO_THREADS: '1' }));
      const first = cli([...SWEEP, '--queue', url], queueHome, env);
      // What a failure needs: the submitter's account and the end of the jobs' logs.
      const why = () => `${first.stderr()}\n--- job logs (tail) ---\n${jobLogs(queueHome).slice(-4_000)}`;

      // Kill (-9, worker and its job process: a machine that died) the worker training a run that
      // has a checkpoint and is not finished.
      let victim: { runId: number; name: string } | null = null;
      let second: CliProcess | null = null;
      while (!victim) {
        await sleep(200);
        expect(first.child.exitCode, first.stderr()).toBeNull();
        if (!postgres && !existsSync(location)) continue;
        const t = openTracker(location);
        // Before the submitter has recorded the experiment, there is nothing to look at.
        const runs = t.findExperiment(RECORD) ? t.listRuns({ experiment: RECORD }) : [];
        t.close();
        // Once the runs exist, the same submission again: it must attach, not train a second time.
        if (!second && runs.length === 3) second = cli([...SWEEP, '--queue', url], queueHome, env);
        for (const r of runs) {
          if (r.status !== 'running' || !existsSync(join(queueHome, 'checkpoints', String(r.id), 'checkpoint.yotockpt'))) continue;
          const worker = workers.find((w) => w.child.pid === parentOf(r.pid));
          if (!worker) continue;
          process.kill(r.pid, 'SIGKILL');
          worker.child.kill('SIGKILL');
          victim = { runId: r.id, name: r.name };
          break;
        }
      }

      // PostgreSQL goes down for a few seconds while runs log and the killed one is handed on: every
      // process that touches the tracker meanwhile waits for it (saying so in its log) and goes on.
      if (postgres && pg.ok) await pg.server.restart(3_000);

      // Redis goes down and comes back while the sweep goes on (jobs are persisted in its AOF).
      while (!first.stderr().includes('evaluating') && first.child.exitCode === null) await sleep(200);
      // The evaluation jobs are still to come: finishing them proves workers and submitters reconnected.
      expect(first.child.exitCode, why()).toBeNull();
      await redis.server.restart();

      const [a, b] = await Promise.all([first.done, second!.done]);
      expect(a.code, why()).toBe(0);
      expect(b.code, b.stderr).toBe(0);
      const [sa, sb] = [lastJson(a.stdout), lastJson(b.stdout)];
      expect(sa.status).toBe('done');
      expect(sb.runs.map((r) => r.runId).sort()).toEqual(sa.runs.map((r) => r.runId).sort());
      const killed = sa.runs.find((r) => r.runId === victim!.runId)!;
      expect(killed.action).toBe('resumed');
      expect(killed.resumedFrom).toBeGreaterThanOrEqual(50);

      const queued = recorded(location);
      expect(queued.statuses).toEqual(['finished', 'finished', 'finished']);
      // Every logged step once, none missing, the killed run's included: as the local run logged them.
      expect(queued.steps).toEqual(reference.steps);
      expect(queued.evaluations.length).toBeGreaterThan(0);
      expect(queued.evaluations).toEqual(reference.evaluations);
      if (postgres) {
        // The restart was met mid-run, not slept through: someone waited and got back in.
        const logs = `${jobLogs(queueHome)}\n${a.stderr}\n${b.stderr}`;
        expect(logs).toMatch(/tracker database postgres:\/\/\S+: .+; retrying for up to \d+(\.\d)? s \(YOTO_TRACKER_RETRY_MS\)/);
        expect(logs).toMatch(/tracker database postgres:\/\/\S+: reconnected after/);
      }

      // The two survivors did the rest, and stop on Ctrl-C (nothing left to release). A job may have
      // been lost to another worker: with a 3 s lock, a Redis restart that takes longer on a loaded
      // machine lets running jobs' locks expire, and they are handed on while their holder still
      // runs them. That holder leaves the job to the new one; it is not a failure.
      const survivors = workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
      expect(survivors).toHaveLength(2);
      for (const w of survivors) {
        w.child.kill('SIGINT');
        const end = await w.done;
        expect(end.code, end.stderr).toBe(0);
        expect(end.stderr).toMatch(/worker: stopped \(\d+ job\(s\) done, 0 failed, 0 released(, \d+ lost to other workers)?\)/);
      }
    });
  });
}
