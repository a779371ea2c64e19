import { defineSweep, evaluationLogGrid, keys } from '@yoto/experiments';
import { z } from 'zod';

/*
 * A complete experiment in one declarative file: the "Add a task" example's shrink task, one YOTO
 * model over λ_shrink ∈ [0.1, 10] against fixed-λ baselines. The schema is the config: one line a
 * key, with its default, unit, meaning and checks; `--set` and `exp show-config` read it.
 */
const config = z
  .strictObject({
    seed: keys.seedKey(1),
    shrink: keys.rangeSection('λ_shrink', 0.1, 10),
    train: keys.trainSection({ batchSize: 32, learningRate: 0.01, schedule: 'cosine', checkpointEvery: 50, logEvery: 10 }),
    yoto: keys.yotoSection(300),
    baselines: keys.section({ lambdas: keys.numbers([0.1, 1, 10], 'λ_shrink of the baselines'), steps: keys.baselineSteps(150) }),
    evaluation: keys.section({ points: keys.points(5, 'log-spaced λ_shrink at which the YOTO model is evaluated') }),
  })
  .superRefine((c, ctx) => {
    keys.checkRange(ctx, 'shrink', c.shrink);
    keys.checkInside(ctx, 'baselines.lambdas', c.baselines.lambdas, c.shrink, 'λ_shrink');
  });

export const shrinkSweep = defineSweep<z.infer<typeof config>>({
  name: 'shrink-sweep',
  description: 'one YOTO shrink model vs fixed-λ baselines over λ_shrink ∈ [0.1, 10]',
  config,
  profiles: {
    smoke: { description: 'seconds, for tests', overrides: { yoto: { steps: 40 }, baselines: { lambdas: [1], steps: 20 } } },
    default: { description: 'the comparison', overrides: {} },
    full: { description: 'longer budgets', overrides: { yoto: { steps: 3000 }, baselines: { steps: 1500 } } },
  },
  task: () => ({ name: 'shrink', package: '@yoto/example-add-a-task', options: {} }),
  space: (c) => ({ terms: ['data', 'shrink'], distribution: { kind: 'logUniform', term: 'shrink', low: c.shrink.low, high: c.shrink.high } }),
  yotoLabel: () => 'yoto',
  baselines: { key: 'shrink', symbol: 'λ', values: (c) => c.baselines.lambdas, lambda: (l) => ({ data: 1, shrink: l }) },
  grid: (c) => evaluationLogGrid(c.shrink.low, c.shrink.high, c.evaluation.points).map((l) => ({ data: 1, shrink: l })),
  evaluation: () => ({ limit: 0, batchSize: 256 }),
  report: {
    lambdaTerm: 'shrink',
    lambdaTitle: 'λ_shrink',
    metricTitles: { loss: 'λ-weighted loss', distance: 'distance to the optimum x / (1 + λ)' },
    curves: ['loss'],
    x: 'shrink',
    y: 'data',
    metrics: ['loss', 'distance'],
    gapMetric: 'loss',
    gapTarget: 0.05,
  },
});
