import { sameLambda } from '@yoto/tracker';
import type { ExperimentPlan, RunKind } from '../experiments/types.js';
import type { Budget } from './budget.js';

export interface RunSummary {
  key: string;
  kind: RunKind;
  /** A control run (RunSpec.control): a baseline outside the budget, e.g. one given the YOTO model's steps. */
  control: boolean;
  runId: number;
  name: string;
  /** How people name the run (RunSpec.label): the setting for a named baseline, e.g. `style-heavy`. */
  label: string;
  lambda: Record<string, number> | null;
  /** What this invocation did with the run. */
  action: 'trained' | 'resumed' | 'reused';
  resumedFrom: number;
  steps: number;
  /** Training wall time, summed over resumptions. */
  wallSeconds: number;
  backend: string | null;
}

export interface MetricComparison {
  yoto: number;
  baseline: number;
  /** (yoto − baseline) / |baseline|: positive means the YOTO model is worse on a loss. */
  gap: number;
}

export interface PointComparison {
  run: string;
  lambda: Record<string, number>;
  /** The swept coefficient's value (e.g. β). */
  value: number;
  /** How people name the point: the swept value, or the baseline's setting (its label) where its other coefficients vary too. */
  label: string;
  /** Compared with the control run rather than a baseline. */
  control: boolean;
  metrics: Record<string, MetricComparison>;
}

export interface Summary {
  experiment: string;
  profile: string;
  record: string;
  backend: string;
  runs: RunSummary[];
  compute: Budget & { yotoSeconds: number; baselineSeconds: number; timeShare: number };
  comparison: PointComparison[];
  target: { metric: string; maxGap: number; worstGap: number; met: boolean; misses: number[] };
  report: string | null;
  wallSeconds: number;
}

export interface EvalRow {
  runId: number;
  lambda: Record<string, number>;
  metric: string;
  value: number;
}

/**
 * For every baseline: the YOTO model's and the baseline's value of each report metric at the
 * baseline's λ, and their relative gap. Missing values are an error: the runner evaluates the YOTO
 * model at every baseline λ, so a hole means an evaluation went wrong.
 */
export function compare(plan: ExperimentPlan, runs: readonly RunSummary[], rows: readonly EvalRow[]): PointComparison[] {
  const yoto = runs.find((r) => r.kind === 'yoto');
  if (!yoto) throw new Error('the plan has no YOTO run to compare');
  const term = plan.report.lambdaTerm;
  const points = runs
    .filter((r) => r.kind === 'baseline')
    .map((b) => {
      const lambda = b.lambda!;
      const metrics: Record<string, MetricComparison> = {};
      for (const metric of plan.report.metrics) {
        const find = (runId: number): number => {
          const row = rows.find((x) => x.runId === runId && x.metric === metric && sameLambda(x.lambda, lambda));
          if (!row) throw new Error(`no evaluation of '${metric}' for run ${runId} at ${JSON.stringify(lambda)}`);
          return row.value;
        };
        const y = find(yoto.runId);
        const base = find(b.runId);
        metrics[metric] = { yoto: y, baseline: base, gap: (y - base) / Math.abs(base) };
      }
      // The control shares its λ with a baseline (compression: 0.018), so the swept value alone would print it as a second point of that name.
      const label = b.control ? `${lambda[term]} (equal-steps control)` : String(lambda[term]);
      return { run: b.name, lambda, value: lambda[term], label, control: b.control, metrics };
    })
    .sort((p, q) => p.value - q.value || Number(p.control) - Number(q.control));
  // Where the baselines differ in more than the swept term (the style settings: five weights), the
  // swept value alone does not tell them apart, so they are named by their setting.
  const varies = (k: string) => points.some((p) => p.lambda[k] !== points[0].lambda[k]);
  const several = points.length > 0 && Object.keys(points[0].lambda).some((k) => k !== term && varies(k));
  const setting = new Map(runs.map((r) => [r.name, r.label]));
  return several ? points.map((p) => ({ ...p, label: setting.get(p.run)! })) : points;
}

export function target(plan: ExperimentPlan, comparison: readonly PointComparison[]): Summary['target'] {
  const metric = plan.report.gapMetric;
  const gaps = comparison.map((p) => p.metrics[metric]?.gap ?? Number.NaN);
  const misses = comparison.filter((_p, i) => !(gaps[i] <= plan.report.gapTarget)).map((p) => p.value);
  return { metric, maxGap: plan.report.gapTarget, worstGap: Math.max(...gaps), met: misses.length === 0, misses };
}

/** A few lines for people, printed before the JSON line. */
export function describeSummary(s: Summary): string[] {
  const pct = (v: number): string => `${v >= 0 ? '+' : ''}${(100 * v).toFixed(2)}%`;
  const lines = [
    `${s.experiment} (${s.profile}) on ${s.backend}: ${s.runs.length} runs, ${s.wallSeconds.toFixed(0)} s`,
    `compute: YOTO ${s.compute.yotoSteps} steps vs baselines ${s.compute.baselineSteps} ` +
      `(${(100 * s.compute.share).toFixed(1)}% of the steps, ${(100 * s.compute.timeShare).toFixed(1)}% of the training time)`,
  ];
  for (const p of s.comparison) {
    const m = p.metrics[s.target.metric];
    lines.push(
      `  ${s.target.metric} at ${p.label}: YOTO ${m.yoto.toFixed(3)}  ${p.control ? 'control' : 'baseline'} ${m.baseline.toFixed(3)}  gap ${pct(m.gap)}` +
        (m.gap <= s.target.maxGap ? '' : `  (misses the ${pct(s.target.maxGap)} target)`),
    );
  }
  lines.push(
    s.target.met
      ? `target met: every gap ≤ ${pct(s.target.maxGap)} (worst ${pct(s.target.worstGap)})`
      : `target missed at ${s.comparison.filter((p) => !(p.metrics[s.target.metric].gap <= s.target.maxGap)).map((p) => p.label).join(', ')} (worst gap ${pct(s.target.worstGap)})`,
  );
  if (s.report) lines.push(`report: ${s.report}`);
  return lines;
}
