// `exp runs --status`, `exp show --json`, `exp export --experiment` and `exp report` without a
// database, on a tracker written here by hand (no training), so every number is known in advance.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTracker } from '@yoto/tracker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/cli.js';

const root = mkdtempSync(join(tmpdir(), 'yoto-trk-cmd-'));
const home = join(root, 'home');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const cli = (yotoHome: string, ...argv: string[]) => runCli(argv, { env: { YOTO_HOME: yotoHome }, cwd: root });

/** Run ids by name. */
const ids: Record<string, number> = {};

beforeAll(() => {
  const tracker = openTracker(join(home, 'tracker.db'));
  try {
    for (const e of ['exp-a', 'exp-b']) tracker.createExperiment({ name: e, task: 'two-target' });
    const yoto = tracker.startRun({ experiment: 'exp-a', name: 'a/yoto', kind: 'yoto', seed: 3, gitRevision: null, params: { lr: 0.01 } });
    yoto.logMetrics(0, { loss: 4 });
    yoto.logMetrics(9, { loss: 1.5 });
    yoto.logEvaluation({ to_a: 1, to_b: 2 }, { loss: 0.75 });
    yoto.logEvaluation({ to_a: 1, to_b: 8 }, { loss: 1.25 });
    yoto.finish();
    const killed = tracker.startRun({ experiment: 'exp-a', name: 'a/baseline', kind: 'baseline', lambda: { to_a: 1, to_b: 2 }, gitRevision: null });
    killed.logMetrics(3, { loss: 2 });
    killed.terminate('killed', 'stopped at step 4 on request');
    const other = tracker.startRun({ experiment: 'exp-b', name: 'b/yoto', kind: 'yoto', gitRevision: null });
    other.logEvaluation({ to_a: 1, to_b: 2 }, { loss: 9 });
    other.fail('training stopped at step 2: non-finite loss term');
    Object.assign(ids, { 'a/yoto': yoto.id, 'a/baseline': killed.id, 'b/yoto': other.id });
  } finally {
    tracker.close();
  }
});

describe('tracker commands', () => {
  it('runs --status lists only the runs in that state, alone or with --experiment and --kind', async () => {
    const json = async (...argv: string[]): Promise<string[]> => {
      const r = await cli(home, 'runs', ...argv, '--json');
      expect(r.code, r.err).toBe(0);
      return (JSON.parse(r.out) as { name: string }[]).map((x) => x.name);
    };
    expect(await json()).toEqual(['a/yoto', 'a/baseline', 'b/yoto']);
    expect(await json('--status', 'killed')).toEqual(['a/baseline']);
    expect(await json('--status', 'failed')).toEqual(['b/yoto']);
    expect(await json('--status', 'finished', '--kind', 'yoto')).toEqual(['a/yoto']);
    expect(await json('--status', 'failed', '--experiment', 'exp-a')).toEqual([]);
    const table = await cli(home, 'runs', '--status', 'killed');
    expect(table.out.split('\n')).toHaveLength(3); // header, rule, one run
    expect(table.out).toMatch(/a\/baseline\s+baseline\s+killed\s+to_a=1 to_b=2\s+3 /);
    expect((await cli(home, 'runs', '--status', 'crashed')).out).toBe('no runs');
  });

  it('show --json gives the record, params, latest metrics and only this run’s evaluations', async () => {
    const r = await cli(home, 'show', String(ids['a/yoto']), '--json');
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out) as {
      run: { id: number; name: string; status: string; seed: number; lastStep: number };
      params: Record<string, unknown>;
      latest: Record<string, { step: number; value: number }>;
      evaluations: { runId: number; lambda: Record<string, number>; metric: string; value: number }[];
    };
    expect(doc.run).toMatchObject({ id: ids['a/yoto'], name: 'a/yoto', status: 'finished', seed: 3, lastStep: 9 });
    expect(doc.params).toEqual({ lr: 0.01 });
    expect(doc.latest.loss).toMatchObject({ step: 9, value: 1.5 });
    expect(doc.evaluations.map((e) => [e.runId, e.lambda.to_b, e.metric, e.value])).toEqual([
      [ids['a/yoto'], 2, 'loss', 0.75],
      [ids['a/yoto'], 8, 'loss', 1.25],
    ]);
    const failed = JSON.parse((await cli(home, 'show', String(ids['b/yoto']), '--json')).out) as { run: { status: string; error: string } };
    expect(failed.run).toMatchObject({ status: 'failed', error: 'training stopped at step 2: non-finite loss term' });
  });

  it('export --experiment keeps that experiment’s evaluation rows only', async () => {
    const all = JSON.parse((await cli(home, 'export', '--format', 'json')).out) as { experiment: string; value: number }[];
    expect(all.map((x) => [x.experiment, x.value])).toEqual([
      ['exp-a', 0.75],
      ['exp-a', 1.25],
      ['exp-b', 9],
    ]);
    const b = await cli(home, 'export', '--experiment', 'exp-b');
    expect(b.code, b.err).toBe(0);
    const lines = b.out.split(/\r?\n/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe(`exp-b,${ids['b/yoto']},b/yoto,yoto,1,2,loss,9`);
    const missing = await cli(home, 'export', '--experiment', 'exp-c');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('unknown experiment "exp-c"; known: exp-a, exp-b');
  });

  it('report on a YOTO_HOME without a database says nothing was recorded, and creates nothing', async () => {
    const empty = join(root, 'empty');
    const r = await cli(empty, 'report', 'vae-beta-sweep', '--profile', 'smoke');
    expect(r.code).toBe(2);
    expect(r.err.split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/^error: nothing recorded under /);
    expect(r.err).toContain(empty);
    expect(r.err).toContain('`pnpm exp run ');
    expect(existsSync(empty)).toBe(false);
  });
});
