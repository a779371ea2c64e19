import { describe, expect, it } from 'vitest';
import { computeBudget } from '../runner/budget.js';
import { getExperiment, listExperiments, resolveExperiment } from './registry.js';

describe('experiment registry', () => {
  it('lists vae-beta-sweep with smoke, default and full profiles', () => {
    expect(listExperiments().map((d) => d.name)).toContain('vae-beta-sweep');
    expect(Object.keys(getExperiment('vae-beta-sweep').profiles)).toEqual(['smoke', 'default', 'full']);
  });

  it('names unknown experiments and profiles with what exists', () => {
    expect(() => getExperiment('vae-sweep')).toThrow("unknown experiment 'vae-sweep'; experiments: vae-beta-sweep");
    expect(() => resolveExperiment('vae-beta-sweep', 'huge')).toThrow(
      "unknown profile 'huge' for experiment 'vae-beta-sweep'; profiles: smoke, default, full",
    );
  });

  it('vae-beta-sweep default: ≥10 log-spaced β over [1/8, 64], baselines inside it, YOTO ≤ 40% of their steps', () => {
    const { plan } = resolveExperiment('vae-beta-sweep');
    const betas = plan.grid.map((l) => l.kl);
    expect(betas.length).toBeGreaterThanOrEqual(10);
    expect(betas[0]).toBe(0.125);
    expect(betas.at(-1)).toBe(64);
    const ratios = betas.slice(1).map((b, i) => b / betas[i]);
    for (const r of ratios) expect(r).toBeCloseTo(ratios[0], 10);
    expect(plan.grid.every((l) => l.reconstruction === 1)).toBe(true);
    const baselines = plan.runs.filter((r) => r.kind === 'baseline');
    expect(baselines.length).toBeGreaterThanOrEqual(5);
    for (const b of baselines) {
      expect(b.lambda!.kl).toBeGreaterThanOrEqual(0.125);
      expect(b.lambda!.kl).toBeLessThanOrEqual(64);
    }
    expect(computeBudget(plan.runs).share).toBeLessThanOrEqual(0.4);
    expect(plan.space).toMatchObject({ distribution: { kind: 'logUniform', term: 'kl', low: 0.125, high: 64 } });
  });

  it("every profile's learning-rate warm-up takes at most a quarter of each of its runs", () => {
    for (const def of listExperiments())
      for (const profile of Object.keys(def.profiles))
        for (const run of resolveExperiment(def.name, profile).plan.runs)
          expect(run.training.schedule.warmupSteps ?? 0, `${def.name}/${profile} ${run.key}: ${run.training.steps} steps`).toBeLessThanOrEqual(run.training.steps / 4);
  });

  it('validates resolved configs', () => {
    expect(() => resolveExperiment('vae-beta-sweep', 'smoke', ['yoto.steps=0'])).toThrow('yoto.steps must be an integer ≥ 1, got 0');
    expect(() => resolveExperiment('vae-beta-sweep', 'smoke', ['baselines.betas=0.5,100'])).toThrow(
      'baselines.betas must lie in the YOTO range [0.125, 64] (β=100 does not), got 0.5,100',
    );
    expect(() => resolveExperiment('vae-beta-sweep', 'smoke', ['beta.low=64'])).toThrow('beta.low must be below beta.high (64), got 64');
  });
});
