import type { Tracker } from '../store.js';

/**
 * A synthetic β-VAE-like experiment with a known shape: KL falls and reconstruction error rises with
 * β; baselines sit slightly better than the YOTO model (by `baselineEdge`, relative).
 */
export interface DemoOptions {
  name?: string;
  betas?: number[];
  baselineBetas?: number[];
  steps?: number;
  /** Step metrics per step. */
  keys?: string[];
  baselineEdge?: number;
}

export function kl(beta: number): number {
  return 30 / (1 + beta);
}
export function reconstruction(beta: number): number {
  return 80 + 12 * Math.log1p(beta);
}

export function populateDemo(tracker: Tracker, options: DemoOptions = {}) {
  const name = options.name ?? 'vae-demo';
  const betas = options.betas ?? [0.125, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64];
  const baselineBetas = options.baselineBetas ?? [0.125, 1, 8, 64];
  const steps = options.steps ?? 200;
  const keys = options.keys ?? ['loss', 'kl', 'reconstruction'];
  const edge = options.baselineEdge ?? 0.03;
  const exp = tracker.createExperiment({ name, task: 'vae', description: 'synthetic demo', config: { betas } });

  const curve = (step: number, k: number, scale: number) => scale * (1 + 4 * Math.exp(-step / (steps / 5))) + k * 0.1;
  const yoto = tracker.startRun({ experiment: exp.id, name: 'yoto', kind: 'yoto', seed: 1, backend: 'cpu', gitRevision: 'abc123' });
  for (let s = 0; s < steps; s++) {
    yoto.logMetrics(s, Object.fromEntries(keys.map((k, i) => [k, curve(s, i, 1)])));
  }
  yoto.finish();
  for (const b of betas) yoto.logEvaluation({ kl: b, reconstruction: 1 }, { kl: kl(b), reconstruction: reconstruction(b) });

  const baselines = baselineBetas.map((b, j) => {
    const run = tracker.startRun({
      experiment: exp.id,
      name: `baseline-kl=${b}`,
      kind: 'baseline',
      lambda: { kl: b, reconstruction: 1 },
      seed: 1,
      backend: 'cpu',
      gitRevision: 'abc123',
    });
    for (let s = 0; s < steps; s++) run.logMetrics(s, Object.fromEntries(keys.map((k, i) => [k, curve(s, i, 1.1 + 0.05 * j)])));
    run.finish();
    run.logEvaluation({ kl: b, reconstruction: 1 }, { kl: kl(b) * (1 - 2 * edge), reconstruction: reconstruction(b) * (1 - edge) });
    return run;
  });
  return { experiment: exp, yoto, baselines };
}
