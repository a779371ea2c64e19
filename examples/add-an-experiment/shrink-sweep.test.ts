import { readFile } from 'node:fs/promises';
import { computeBudget, resolveDefinition } from '@yoto/experiments';
import { describe, expect, it } from 'vitest';
import { shrinkSweep } from './shrink-sweep.js';

// The README's "Add an experiment" example: the engine turns the declarative file into runs and a
// grid, and its schema refuses bad values in one line naming the key.
describe('the README example experiment', () => {
  it('plans the YOTO model and one run per baseline λ, with the schema defaults under the profile', () => {
    const { config, plan } = resolveDefinition(shrinkSweep, 'default');
    expect(config).toMatchObject({ seed: 1, shrink: { low: 0.1, high: 10 }, yoto: { steps: 300 }, baselines: { lambdas: [0.1, 1, 10], steps: 150 } });
    expect(plan.runs.map((r) => r.key)).toEqual(['yoto', 'baseline-shrink=0.1', 'baseline-shrink=1', 'baseline-shrink=10']);
    expect(plan.runs[1]).toMatchObject({ kind: 'baseline', lambda: { data: 1, shrink: 0.1 }, training: { steps: 150, batchSize: 32, learningRate: 0.01, schedule: { kind: 'cosine' }, seed: 1 } });
    expect(plan.grid.map((g) => g.shrink)).toEqual([0.1, 0.316227766017, 1, 3.16227766017, 10]);
    expect(computeBudget(plan.runs).share).toBeCloseTo(300 / 450, 12);
    const smoke = resolveDefinition(shrinkSweep, 'smoke', ['train.learningRate=0.1']).plan;
    expect(smoke.runs.map((r) => [r.key, r.training.steps, r.training.learningRate])).toEqual([['yoto', 40, 0.1], ['baseline-shrink=1', 20, 0.1]]);
  });

  it('refuses bad --set values in one line naming the key', () => {
    expect(() => resolveDefinition(shrinkSweep, 'default', ['baselines.lambdas=1,20'])).toThrow(
      /^baselines\.lambdas must lie in the YOTO range \[0\.1, 10\] \(λ_shrink=20 does not\), got 1,20$/,
    );
    expect(() => resolveDefinition(shrinkSweep, 'default', ['yoto.steps=0'])).toThrow(/^yoto\.steps must be an integer ≥ 1, got 0$/);
    expect(() => resolveDefinition(shrinkSweep, 'default', ['train.schedule=linear'])).toThrow("--set train.schedule: expected one of cosine, constant, got 'linear'");
  });

  it("is what the README's \"Add an experiment\" section shows, character for character", async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Add an experiment'));
    const listing = section.slice(section.indexOf('```ts\n') + 6, section.indexOf('```\n\n## '));
    expect(listing).toBe(await readFile(new URL('./shrink-sweep.ts', import.meta.url), 'utf8'));
  });
});
