import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backendTitle, startBackends, stopBackends, tempDir, type Backend } from './__fixtures__/backends.js';
import { userVersion } from './db/migrate.js';
import { SCHEMA_VERSION } from './db/schema.js';
import { dialectOf } from './db/sql.js';
import { TrackerError } from './errors.js';
import { openTracker, type Tracker } from './store.js';

// One suite, both engines: everything below holds for SQLite files and PostgreSQL databases alike.
const BACKENDS = await startBackends();
afterAll(stopBackends);

let dir: string;
let path: string;
let t: Tracker;
let backend: Backend;

function fails(fn: () => unknown, code: string, message: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TrackerError);
    expect((err as TrackerError).code).toBe(code);
    expect((err as Error).message).toMatch(message);
    return;
  }
  throw new Error(`expected ${code}`);
}

/** A second connection sees only what has been committed. */
function committedRows(): number {
  const db = backend.raw(path);
  try {
    return (db.prepare('SELECT count(*) FROM metric_steps').pluck().get() as number) ?? 0;
  } finally {
    db.close();
  }
}

for (const b of BACKENDS) {
  describe.skipIf(b.skip !== null)(backendTitle(b), () => {
    let removeDir: () => void;
    beforeEach(() => {
      backend = b;
      ({ dir, remove: removeDir } = tempDir('yoto-tracker-'));
      path = b.fresh(dir);
      t = openTracker(path, { flushIntervalMs: 3_600_000 });
    });
    afterEach(() => {
      t.close();
      removeDir();
    });

    describe('schema', () => {
      const TABLES = ['artifacts', 'evaluations', 'experiments', 'metric_keys', 'metric_steps', 'params', 'runs', 'tags'];
      function tables(): string[] {
        const db = backend.raw(path);
        try {
          const sql =
            dialectOf(db) === 'sqlite'
              ? `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`
              : `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name <> 'tracker_schema' ORDER BY table_name`;
          return db.prepare(sql).pluck().all() as string[];
        } finally {
          db.close();
        }
      }

      it('migrates a fresh database to the newest version with the same tables, and refuses a newer one', () => {
        expect(tables()).toEqual(TABLES);
        const db = backend.raw(path);
        expect(userVersion(db)).toBe(SCHEMA_VERSION);
        db.exec(dialectOf(db) === 'sqlite' ? `PRAGMA user_version = ${SCHEMA_VERSION + 1}` : `UPDATE tracker_schema SET version = ${SCHEMA_VERSION + 1}`);
        db.close();
        fails(() => openTracker(path), 'DB_TOO_NEW', new RegExp(`version ${SCHEMA_VERSION + 1}, newer than the ${SCHEMA_VERSION}`));
      });

      it("refuses a database holding someone else's tables", () => {
        t.close();
        mkdirSync(join(dir, 'foreign'));
        const other = b.fresh(join(dir, 'foreign'));
        const db = backend.raw(other);
        db.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY)');
        db.close();
        fails(() => openTracker(other), 'DB_NOT_TRACKER', /but not a tracker database/);
        t = openTracker(path);
      });
    });

    describe('experiments', () => {
      it('creates, finds by id and by name, refuses duplicates and unknown references', () => {
        const e = t.createExperiment({ name: 'vae', task: 'vae', config: { grid: [1, 2] } });
        expect(t.getExperiment(e.id)).toEqual(e);
        expect(t.getExperiment('vae')).toMatchObject({ id: e.id, task: 'vae', config: { grid: [1, 2] } });
        fails(() => t.createExperiment({ name: 'vae' }), 'DUPLICATE', /experiment "vae" already exists/);
        expect(t.ensureExperiment({ name: 'vae' }).id).toBe(e.id);
        expect(t.ensureExperiment({ name: 'other' }).id).not.toBe(e.id);
        fails(() => t.getExperiment('nope'), 'UNKNOWN_EXPERIMENT', /unknown experiment "nope"; known: vae, other/);
        fails(() => t.getExperiment(999), 'UNKNOWN_EXPERIMENT', /unknown experiment id 999/);
        fails(() => t.createExperiment({ name: ' ' }), 'INVALID_ARGUMENT', /experiment name must be a non-empty string/);
        fails(() => t.createExperiment({ name: 'x', config: { f: 1n } }), 'INVALID_ARGUMENT', /experiment config must be JSON-serialisable/);
      });
    });

    describe('runs', () => {
      it('records what a run is, filters by experiment/kind/status/tag, and rejects bad specs', () => {
        const e = t.createExperiment({ name: 'vae' });
        const y = t.startRun({ experiment: 'vae', name: 'yoto', kind: 'yoto', seed: 7, backend: 'wasm', gitRevision: 'deadbeef', tags: ['smoke'], config: { steps: 10 } });
        const b = t.startRun({ experiment: e.id, name: 'b1', kind: 'baseline', lambda: { reconstruction: 1, kl: 0.5 }, gitRevision: null, params: { lr: 1e-3 } });
        const r = t.getRun(y.id);
        expect(r).toMatchObject({ experiment: 'vae', name: 'yoto', kind: 'yoto', status: 'running', seed: 7, backend: 'wasm', gitRevision: 'deadbeef', host: hostname(), pid: process.pid, tags: ['smoke'], config: { steps: 10 }, lambda: null, endedAt: null });
        expect(t.getRun(b.id).lambda).toEqual({ kl: 0.5, reconstruction: 1 });
        expect(t.params(b.id)).toEqual({ lr: 1e-3 });
        b.finish();
        expect(t.listRuns({ experiment: 'vae' }).map((x) => x.name)).toEqual(['yoto', 'b1']);
        expect(t.listRuns({ kind: 'baseline' }).map((x) => x.name)).toEqual(['b1']);
        expect(t.listRuns({ status: 'running' }).map((x) => x.name)).toEqual(['yoto']);
        expect(t.listRuns({ status: ['running', 'finished'] })).toHaveLength(2);
        expect(t.listRuns({ tag: 'smoke' }).map((x) => x.name)).toEqual(['yoto']);
        y.addTags('paper', 'smoke');
        expect(t.getRun(y.id).tags).toEqual(['paper', 'smoke']);
        expect(t.listExperiments()[0]).toMatchObject({ name: 'vae', runs: 2, byKind: { yoto: 1, baseline: 1 }, byStatus: { running: 1, finished: 1 } });

        fails(() => t.startRun({ experiment: 'vae', name: 'yoto', kind: 'yoto' }), 'DUPLICATE', /already has a run named "yoto"; resume it/);
        fails(() => t.startRun({ experiment: 'vae', name: 'z', kind: 'fixed' as never }), 'INVALID_ARGUMENT', /run kind must be one of yoto, baseline, got "fixed"/);
        fails(() => t.startRun({ experiment: 'vae', name: 'z', kind: 'baseline', lambda: { kl: Number.NaN } }), 'INVALID_ARGUMENT', /run lambda\.kl must be a finite number/);
        fails(() => t.startRun({ experiment: 'gone', name: 'z', kind: 'yoto' }), 'UNKNOWN_EXPERIMENT', /"gone"/);
        fails(() => t.getRun(12345), 'UNKNOWN_RUN', /unknown run id 12345/);
        fails(() => t.listRuns({ status: 'done' as never }), 'INVALID_ARGUMENT', /status must be one of running, finished, failed, killed, crashed/);
        y.finish();
      });

      it('batches step metrics: nothing is written before the batch fills or flush() is called', () => {
        t.close();
        t = openTracker(path, { batchSize: 10, flushIntervalMs: 3_600_000 });
        t.createExperiment({ name: 'e' });
        const run = t.startRun({ experiment: 'e', name: 'r', kind: 'yoto', gitRevision: null });
        run.logMetrics(0, { a: 1, b: 2, c: 3 });
        run.logMetrics(1, { a: 1, b: 2, c: 3 });
        run.logMetrics(2, { a: 1, b: 2, c: 3 });
        expect(committedRows()).toBe(0);
        run.logMetrics(3, { a: 1, b: 2, c: 3 }); // 12 rows ≥ 10: one transaction
        expect(committedRows()).toBe(12);
        run.logMetrics(4, { a: 1 });
        expect(committedRows()).toBe(12);
        run.flush();
        expect(committedRows()).toBe(13);
        run.logMetrics(5, { a: 5 });
        run.finish();
        expect(committedRows()).toBe(14);
        expect(t.getRun(run.id)).toMatchObject({ status: 'finished', lastStep: 5, error: null });
        expect(t.getRun(run.id).endedAt).toBeGreaterThanOrEqual(t.getRun(run.id).startedAt);
      });

      it('flushes rows of a quiet run on its timer', async () => {
        t.close();
        t = openTracker(path, { batchSize: 1_000_000, flushIntervalMs: 20 });
        t.createExperiment({ name: 'e' });
        const run = t.startRun({ experiment: 'e', name: 'r', kind: 'yoto', gitRevision: null });
        run.logMetrics(0, { a: 1 });
        for (let i = 0; i < 100 && committedRows() === 0; i++) await new Promise((r) => setTimeout(r, 20));
        expect(committedRows()).toBe(1);
        run.finish();
      });

      it('refreshes the heartbeat of a run that logs nothing, on its timer', async () => {
        t.close();
        t = openTracker(path, { batchSize: 1_000_000, flushIntervalMs: 20 });
        t.createExperiment({ name: 'e' });
        const run = t.startRun({ experiment: 'e', name: 'r', kind: 'yoto', gitRevision: null });
        // Nothing is logged: only the timer can move the heartbeat on. (Rewriting it from another
        // connection would take the run away from the handle: the heartbeat is its owner's lease.)
        const first = t.getRun(run.id).heartbeatAt;
        for (let i = 0; i < 100 && t.getRun(run.id).heartbeatAt === first; i++) await new Promise((r) => setTimeout(r, 20));
        expect(t.getRun(run.id).heartbeatAt).toBeGreaterThan(first);
        run.finish();
      });

      it('keeps NaN and ±Infinity, and returns latest values and full histories', () => {
        t.createExperiment({ name: 'e' });
        const run = t.startRun({ experiment: 'e', name: 'r', kind: 'yoto', gitRevision: null });
        run.logMetrics(0, { loss: 3, grad: 0.5 });
        run.logMetrics(1, { loss: Number.NaN, grad: Number.POSITIVE_INFINITY });
        run.logMetrics(2, { loss: Number.NEGATIVE_INFINITY });
        run.logMetrics(10, { loss: 1.25 });
        run.finish();
        expect(t.metricHistory(run.id, 'loss').map((p) => [p.step, p.value])).toEqual([
          [0, 3],
          [1, Number.NaN],
          [2, Number.NEGATIVE_INFINITY],
          [10, 1.25],
        ]);
        const latest = t.latestMetrics(run.id);
        expect(latest.loss).toMatchObject({ step: 10, value: 1.25 });
        expect(latest.grad).toMatchObject({ step: 1, value: Number.POSITIVE_INFINITY });
        expect(t.metricKeys(run.id)).toEqual(['grad', 'loss']);
        expect(t.getRun(run.id).lastStep).toBe(10);
      });

      it('validates what is logged and refuses step metrics after the run ended', () => {
        t.createExperiment({ name: 'e' });
        const run = t.startRun({ experiment: 'e', name: 'r', kind: 'yoto', gitRevision: null });
        fails(() => run.logMetrics(-1, { a: 1 }), 'INVALID_ARGUMENT', /step must be a non-negative integer, got -1/);
        fails(() => run.logMetrics(1.5, { a: 1 }), 'INVALID_ARGUMENT', /got 1\.5/);
        fails(() => run.logMetrics(1, { a: '1' as never }), 'INVALID_ARGUMENT', /metric "a" at step 1 must be a number, got "1"/);
        fails(() => run.logEvaluation({ kl: 1 }, { elbo: null as never }), 'INVALID_ARGUMENT', /evaluation metric "elbo" must be a number, got null/);
        fails(() => run.logEvaluation({}, { elbo: 1 }), 'INVALID_ARGUMENT', /lambda must name at least one term/);
        run.fail(new Error('diverged at step 3'));
        expect(t.getRun(run.id)).toMatchObject({ status: 'failed', error: 'diverged at step 3' });
        fails(() => run.logMetrics(2, { a: 1 }), 'RUN_CLOSED', /has already ended \(failed\)/);
        fails(() => run.finish(), 'RUN_CLOSED', /finish: run \d+ \(r\) has already ended/);
        // Evaluation follows training: still accepted, and re-logging a point replaces it.
        run.logEvaluation({ kl: 2 }, { elbo: -100 });
        run.logEvaluation({ kl: 2 }, { elbo: -90, kl: 5 });
        expect(t.evaluationPoints('e').map((p) => [p.metric, p.value])).toEqual([
          ['elbo', -90],
          ['kl', 5],
        ]);
      });

      it('resumes a run: status back to running, later steps dropped, training time summed', async () => {
        t.createExperiment({ name: 'e' });
        const run = t.startRun({ experiment: 'e', name: 'r', kind: 'yoto', gitRevision: null });
        for (let s = 0; s < 10; s++) run.logMetrics(s, { loss: s });
        await new Promise((r) => setTimeout(r, 15));
        run.fail('interrupted');
        const first = t.getRun(run.id).elapsedMs;
        expect(first).toBeGreaterThanOrEqual(10);
        const again = t.resumeRun(run.id, { fromStep: 6 });
        expect(t.getRun(run.id)).toMatchObject({ status: 'running', error: null, endedAt: null, lastStep: 6 });
        expect(t.metricHistory(run.id, 'loss').map((p) => p.step)).toEqual([0, 1, 2, 3, 4, 5, 6]);
        fails(() => t.resumeRun(run.id), 'RUN_ACTIVE', /is still running \(pid \d+/);
        await new Promise((r) => setTimeout(r, 15));
        again.logMetrics(7, { loss: 7 });
        again.finish();
        expect(t.getRun(run.id).elapsedMs).toBeGreaterThanOrEqual(first + 10);
        expect(t.metricHistory(run.id, 'loss').map((p) => p.step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      });

      it('takeOver resumes a run that still looks alive, and fences its old handle off', () => {
        t.createExperiment({ name: 'e' });
        const old = t.startRun({ experiment: 'e', name: 'r', kind: 'yoto', gitRevision: null });
        for (let s = 0; s < 4; s++) old.logMetrics(s, { loss: s });
        old.flush();
        fails(() => t.resumeRun(old.id), 'RUN_ACTIVE', /is still running/);
        const taken = t.resumeRun(old.id, { fromStep: 1, takeOver: true });
        fails(
          () => {
            old.logMetrics(4, { loss: 4 });
            old.flush();
          },
          'RUN_TAKEN_OVER',
          /was taken over/,
        );
        // The new owner re-logs step 2 onwards: each step once, the new value.
        for (let s = 2; s < 6; s++) taken.logMetrics(s, { loss: 10 * s });
        taken.finish();
        expect(t.metricHistory(old.id, 'loss').map((p) => [p.step, p.value])).toEqual([
          [0, 0],
          [1, 1],
          [2, 20],
          [3, 30],
          [4, 40],
          [5, 50],
        ]);
        expect(t.getRun(old.id)).toMatchObject({ status: 'finished', lastStep: 5 });
      });

      it('close() writes and fails runs left open; a closed tracker refuses work', () => {
        t.createExperiment({ name: 'e' });
        const run = t.startRun({ experiment: 'e', name: 'r', kind: 'yoto', gitRevision: null });
        run.logMetrics(0, { a: 1 });
        t.close();
        t = openTracker(path);
        expect(t.getRun(run.id)).toMatchObject({ status: 'failed', error: 'tracker closed before the run finished' });
        expect(committedRows()).toBe(1);
      });
    });

    describe('crash detection', () => {
      it('marks runs crashed when their process is gone or their heartbeat is stale, and leaves live ones', () => {
        const e = t.createExperiment({ name: 'e' });
        const live = t.startRun({ experiment: e.id, name: 'live-here', kind: 'yoto', gitRevision: null });
        const dead = t.startRun({ experiment: e.id, name: 'dead-pid', kind: 'baseline', lambda: { kl: 1 }, gitRevision: null });
        const stale = t.startRun({ experiment: e.id, name: 'stale-elsewhere', kind: 'baseline', lambda: { kl: 2 }, gitRevision: null });
        const fresh = t.startRun({ experiment: e.id, name: 'fresh-elsewhere', kind: 'baseline', lambda: { kl: 3 }, gitRevision: null });
        // Simulate the other processes' rows: detach the handles from this process by rewriting owners.
        const db = backend.raw(path);
        const now = Date.now();
        db.prepare(`UPDATE runs SET pid = ? WHERE id = ?`).run(2 ** 22 + 12_345, dead.id); // beyond pid_max
        db.prepare(`UPDATE runs SET host = 'elsewhere', heartbeat_at = ? WHERE id = ?`).run(now - 10 * 60_000, stale.id);
        // now + 1: the handle's own heartbeat (its lease) was written at or before `now`, possibly in the
        // same millisecond, and a rewrite must differ from it to count as another owner's.
        db.prepare(`UPDATE runs SET host = 'elsewhere', heartbeat_at = ? WHERE id = ?`).run(now + 1, fresh.id);
        db.close();
        const other = openTracker(path, { staleAfterMs: 60_000 });
        try {
          const byName = Object.fromEntries(other.listRuns().map((r) => [r.name, r]));
          expect(byName['live-here'].status).toBe('running');
          expect(byName['dead-pid']).toMatchObject({ status: 'crashed', error: expect.stringMatching(/process \d+ on .* ended without recording/) });
          expect(byName['stale-elsewhere']).toMatchObject({ status: 'crashed', error: expect.stringMatching(/no heartbeat since .* on elsewhere/) });
          expect(byName['fresh-elsewhere'].status).toBe('running');
          expect(byName['dead-pid'].endedAt).toBe(byName['dead-pid'].heartbeatAt);
        } finally {
          other.close();
        }
        for (const h of [live, dead]) h.finish();
        // Their heartbeats were rewritten by "another process": the handles no longer own those rows.
        for (const h of [stale, fresh]) fails(() => h.finish(), 'RUN_TAKEN_OVER', /was taken over/);
      });
    });

    describe('crashed runs', () => {
      /**
       * Makes `runId` look like another host's run that stopped writing ten minutes ago, and sweeps;
       * then puts host and heartbeat back, since a real sweep changes only status, ended_at and error
       * (and the heartbeat is the owning handle's lease).
       */
      function crashFromElsewhere(runId: number): void {
        const db = backend.raw(path);
        const { host, heartbeat_at } = db.prepare(`SELECT host, heartbeat_at FROM runs WHERE id = ?`).get(runId) as { host: string; heartbeat_at: number };
        db.prepare(`UPDATE runs SET host = 'elsewhere', heartbeat_at = ? WHERE id = ?`).run(Date.now() - 10 * 60_000, runId);
        openTracker(path, { staleAfterMs: 60_000 }).close();
        db.prepare(`UPDATE runs SET host = ?, heartbeat_at = ? WHERE id = ?`).run(host, heartbeat_at, runId);
        db.close();
      }

      it('a run marked crashed while it was only slow comes back to running at its next write', () => {
        t.createExperiment({ name: 'e' });
        const run = t.startRun({ experiment: 'e', name: 'r', kind: 'yoto', gitRevision: null });
        run.logMetrics(0, { loss: 1 });
        run.flush();
        crashFromElsewhere(run.id);
        expect(t.getRun(run.id)).toMatchObject({ status: 'crashed', endedAt: expect.any(Number) });
        run.logMetrics(1, { loss: 0.5 });
        run.flush();
        expect(t.getRun(run.id)).toMatchObject({ status: 'running', endedAt: null, lastStep: 1 });
        run.finish();
        expect(t.getRun(run.id).status).toBe('finished');
      });

      it('resumeRun takes over a crashed run: running again, owned by this process, its steps kept up to fromStep', () => {
        t.createExperiment({ name: 'e' });
        const run = t.startRun({ experiment: 'e', name: 'r', kind: 'yoto', gitRevision: null });
        for (let s = 0; s < 5; s++) run.logMetrics(s, { loss: s });
        run.finish();
        // As if another host's process had died mid-run: its row says running, its heartbeat is old.
        const db = backend.raw(path);
        db.prepare(`UPDATE runs SET status = 'running', ended_at = NULL WHERE id = ?`).run(run.id);
        db.close();
        crashFromElsewhere(run.id);
        expect(t.getRun(run.id)).toMatchObject({ status: 'crashed', error: expect.stringMatching(/no heartbeat since .* on elsewhere/) });
        const again = t.resumeRun(run.id, { fromStep: 3 });
        expect(t.getRun(run.id)).toMatchObject({ status: 'running', error: null, endedAt: null, lastStep: 3, host: hostname(), pid: process.pid });
        expect(t.metricHistory(run.id, 'loss').map((p) => p.step)).toEqual([0, 1, 2, 3]);
        again.logMetrics(4, { loss: 4 });
        again.finish();
        expect(t.getRun(run.id)).toMatchObject({ status: 'finished', lastStep: 4 });
      });

      it('after resumeRun took a run over, the stale handle can neither end the run nor write steps or heartbeats: RUN_TAKEN_OVER, the row untouched', () => {
        t.createExperiment({ name: 'e' });
        const stale = t.startRun({ experiment: 'e', name: 'r', kind: 'yoto', gitRevision: null });
        stale.logMetrics(0, { loss: 1 });
        stale.flush();
        // Another host's sweep presumed the (merely slow) worker dead; then the run was resumed.
        crashFromElsewhere(stale.id);
        const owner = t.resumeRun(stale.id);
        owner.logMetrics(1, { loss: 0.5 });
        owner.flush();
        const before = t.getRun(stale.id);
        expect(before).toMatchObject({ status: 'running', error: null, lastStep: 1 });

        stale.logMetrics(1, { loss: 99 });
        fails(() => stale.flush(), 'RUN_TAKEN_OVER', new RegExp(`run ${stale.id} \\(r\\) was taken over`));
        fails(() => stale.fail(new Error('presumed crashed')), 'RUN_TAKEN_OVER', new RegExp(`run ${stale.id} \\(r\\) was taken over`));
        expect(t.getRun(stale.id)).toEqual(before);
        expect(t.metricHistory(stale.id, 'loss').map((p) => p.value)).toEqual([1, 0.5]);

        owner.finish();
        expect(t.getRun(stale.id)).toMatchObject({ status: 'finished', error: null });
        // Ending a lost handle from the process hooks or close() records nothing and does not throw.
        expect(() => stale.terminate('killed', 'received SIGTERM')).not.toThrow();
        expect(t.getRun(stale.id)).toMatchObject({ status: 'finished', error: null });
      });
    });

    describe('artifacts', () => {
      it('records path, kind, sha256 and size, for an experiment or a run', () => {
        const e = t.createExperiment({ name: 'e' });
        const run = t.startRun({ experiment: e.id, name: 'r', kind: 'yoto', gitRevision: null });
        const file = join(dir, 'recon.png');
        writeFileSync(file, 'abc');
        const a = run.logArtifact(file, 'image', { lambda: 0.5 });
        // sha256("abc"), a published test vector.
        expect(a).toMatchObject({ path: file, kind: 'image', size: 3, runId: run.id, experimentId: e.id, meta: { lambda: 0.5 } });
        expect(a.sha256).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
        const other = join(dir, 'report.html');
        writeFileSync(other, '<html>');
        t.logArtifact({ experiment: 'e', path: other, kind: 'report' });
        expect(t.listArtifacts('e').map((x) => x.kind)).toEqual(['image', 'report']);
        expect(t.listArtifacts('e', { kind: 'image' })).toHaveLength(1);
        fails(() => t.logArtifact({ experiment: 'e', path: join(dir, 'none.png'), kind: 'image' }), 'INVALID_ARGUMENT', /none\.png does not exist/);
        run.finish();
      });

      it('logging the same path again replaces its record (new sha256 and size), never a duplicate', () => {
        const e = t.createExperiment({ name: 'e' });
        const file = join(dir, 'recon.png');
        writeFileSync(file, 'abc');
        const first = t.logArtifact({ experiment: 'e', path: file, kind: 'image', meta: { v: 1 } });
        writeFileSync(file, 'abcd'); // the picture was redrawn
        const second = t.logArtifact({ experiment: e.id, path: file, kind: 'image', meta: { v: 2 } });
        expect(second.id).toBe(first.id);
        // sha256("abcd")
        expect(second).toMatchObject({ size: 4, sha256: '88d4266fd4e6338d13b845fcf289579d209c897823b9217da3e161936f031589', meta: { v: 2 } });
        expect(t.listArtifacts('e')).toEqual([second]);
        // The same path in another experiment is another record.
        t.createExperiment({ name: 'f' });
        t.logArtifact({ experiment: 'f', path: file, kind: 'image' });
        expect(t.listArtifacts('e')).toHaveLength(1);
        expect(t.listArtifacts('f')).toHaveLength(1);
      });

      it('collapses duplicates recorded before replacement existed into one record', () => {
        const e = t.createExperiment({ name: 'e' });
        const file = join(dir, 'recon.png');
        writeFileSync(file, 'abc');
        t.close();
        const raw = backend.raw(path);
        const ins = raw.prepare(`INSERT INTO artifacts (experiment_id, run_id, path, kind, sha256, size, meta, created_at) VALUES (?, NULL, ?, 'image', 'x', 1, 'null', 0)`);
        ins.run(e.id, file);
        ins.run(e.id, file);
        raw.close();
        t = openTracker(path, { flushIntervalMs: 3_600_000 });
        expect(t.listArtifacts('e')).toHaveLength(2);
        const a = t.logArtifact({ experiment: 'e', path: file, kind: 'image' });
        expect(t.listArtifacts('e')).toEqual([a]);
        expect(a.size).toBe(3);
      });
    });
  });
}
