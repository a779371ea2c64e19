import { describe, expect, it } from 'vitest';
import { resolveExperiment } from '../experiments/registry.js';
import { identify } from './identity.js';
import { decide, scheduleOrder, type ExistingRun } from './resume.js';

const ids = (profile: string, sets: string[] = []) => {
  const r = resolveExperiment('vae-beta-sweep', profile, sets);
  return r.plan.runs.map((s) => identify('vae-beta-sweep', profile, r.plan, s));
};

describe('run identity', () => {
  it('is stable, and differs by profile and by any training setting, but not by evaluation settings', () => {
    const a = ids('smoke');
    expect(ids('smoke').map((i) => i.name)).toEqual(a.map((i) => i.name));
    expect(a[0].name).toMatch(/^smoke\/yoto\/[0-9a-f]{8}$/);
    expect(a[1].name).toMatch(/^smoke\/baseline-beta=0\.5\/[0-9a-f]{8}$/);
    expect(ids('default')[0].hash).not.toBe(a[0].hash);
    const steps = ids('smoke', ['yoto.steps=161']);
    expect(steps[0].hash).not.toBe(a[0].hash);
    // Baselines did not change, so they keep their identity and would be reused.
    expect(steps[1].hash).toBe(a[1].hash);
    expect(ids('smoke', ['evaluation.points=12'])[0].hash).toBe(a[0].hash);
  });
});

describe('decide', () => {
  const [yoto, b1, b2, b3] = ids('default');
  const run = (name: string, status: ExistingRun['status'], more: Partial<ExistingRun> = {}): ExistingRun => ({
    id: 7,
    name,
    status,
    hasCheckpoint: true,
    ownerAlive: false,
    error: null,
    ...more,
  });

  it('creates missing runs, reuses finished ones and resumes interrupted ones', () => {
    const d = decide(
      [yoto, b1, b2, b3],
      [run(yoto.name, 'killed'), run(b1.name, 'finished'), run(b2.name, 'crashed'), run('default/other/00000000', 'finished')],
    );
    expect(d.map((x) => x.action)).toEqual(['resume', 'reuse', 'resume', 'new']);
  });

  it('leaves a failed run failed (a diverged run would diverge again) unless asked to retry it', () => {
    const existing = [run(yoto.name, 'failed', { error: "training stopped at step 7: non-finite loss term 'kl'" }), run(b1.name, 'killed')];
    const d = decide([yoto, b1], existing);
    expect(d.map((x) => x.action)).toEqual(['failed', 'resume']);
    expect(d[0]).toMatchObject({ run: { error: "training stopped at step 7: non-finite loss term 'kl'" } });
    expect(decide([yoto, b1], existing, { retryFailed: true }).map((x) => x.action)).toEqual(['resume', 'resume']);
  });

  it('retrains a finished run whose checkpoint is gone, and refuses one another process is training', () => {
    const d = decide([yoto, b1], [run(yoto.name, 'finished', { hasCheckpoint: false }), run(b1.name, 'running', { ownerAlive: true })]);
    expect(d.map((x) => x.action)).toEqual(['resume', 'busy']);
    // A `running` run whose owner died (the sweep has not marked it yet) is resumed.
    expect(decide([b1], [run(b1.name, 'running')])[0].action).toBe('resume');
  });

  it('schedules the longest training first', () => {
    const order = scheduleOrder([b1, yoto, b2].map((identity) => ({ identity })));
    expect(order[0].identity.spec.kind).toBe('yoto');
  });
});
