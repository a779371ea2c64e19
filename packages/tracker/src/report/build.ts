import { TrackerError } from '../errors.js';
import type { Tracker } from '../store.js';
import type { ArtifactRecord, EvaluationRow, ExperimentRecord, ExperimentRef, RunRecord, Table } from '../types.js';
import { sameLambda } from '../util/values.js';
import {
  BASELINE_SERIES,
  YOTO_SERIES,
  computeSpec,
  gapSpec,
  learningCurvesSpec,
  metricVsLambdaSpec,
  tradeoffSpec,
  type CurvePoint,
  type GapPoint,
  type GapTarget,
  type MetricPoint,
  type ScaleType,
  type SeriesPoint,
  type TradeoffPoint,
  type VegaLiteSpec,
} from './specs.js';

/** Which two evaluation metrics span a trade-off plane, e.g. `{ x: 'bpp', y: 'psnr' }`. */
export interface TradeoffAxes {
  x: string;
  y: string;
  xTitle?: string;
  yTitle?: string;
  xScale?: ScaleType;
  yScale?: ScaleType;
}

export interface ReportOptions {
  title?: string;
  /** The coefficient on the λ axis, e.g. `kl` or `distortion`. Default: the one that varies. */
  lambdaKey?: string;
  /** How λ is written on axes and tooltips, e.g. `β` (default `λ[<lambdaKey>]`). */
  lambdaTitle?: string;
  /** Trade-off planes to draw. Default: the first two evaluation metrics, if there are two. */
  tradeoffs?: TradeoffAxes[];
  /** Evaluation metrics for the "against λ" and gap charts (default: all, sorted). */
  metrics?: string[];
  /** Step metrics for the learning curves (default: all, up to 9). */
  curves?: string[];
  /** Buckets per run and curve (default 300). */
  maxCurvePoints?: number;
  /** Artifact kinds embedded as images in the HTML page (default `['image']`). */
  imageKinds?: string[];
  /** Display names for metrics, e.g. `{ bpp: 'rate (bits per pixel)' }`. */
  metricTitles?: Record<string, string>;
  /**
   * Only these runs (ids of runs of the experiment); default: every run recorded under it. After a
   * config change an experiment holds runs of old and new configs: pass the current ones.
   */
  runIds?: number[];
  /** Shades `±value` on the gap panel of `metric` (a metric name), e.g. `{ metric: 'loss', value: 0.03 }`. */
  gapTarget?: { metric: string; value: number };
}

export interface ReportChart {
  id: string;
  title: string;
  spec: VegaLiteSpec;
}

export interface ReportTable extends Table {
  id: string;
  title: string;
}

export interface Report {
  title: string;
  experiment: ExperimentRecord;
  generatedAt: number;
  lambdaKey: string | null;
  charts: ReportChart[];
  tables: ReportTable[];
  images: ArtifactRecord[];
  /** Things the reader should know: skipped charts, left-out points. */
  notes: string[];
}

/** Builds every chart and table of an experiment's report from the tracker's queries. */
export function buildReport(tracker: Tracker, experiment: ExperimentRef, options: ReportOptions = {}): Report {
  const exp = tracker.getExperiment(experiment);
  const runIds = options.runIds;
  // evaluationPoints first: it rejects ids that are not runs of this experiment.
  const evals = tracker.evaluationPoints(exp.id, { runIds });
  const runs = tracker.listRuns({ experiment: exp.id, ids: runIds });
  const notes: string[] = [];
  if (runIds) {
    const left = tracker.listRuns({ experiment: exp.id }).length - runs.length;
    if (left > 0) notes.push(`${runs.length} chosen run(s) shown; ${left} other run(s) recorded under ${exp.name} are left out`);
  }
  const charts: ReportChart[] = [];
  const tables: ReportTable[] = [];
  const title = options.title ?? `${exp.name}${exp.task ? ` (${exp.task})` : ''}`;
  const metricTitle = (m: string) => options.metricTitles?.[m] ?? m;

  const lambdaKey = evals.length ? chooseLambdaKey(evals, options.lambdaKey) : (options.lambdaKey ?? null);
  const lambdaTitle = options.lambdaTitle ?? (lambdaKey ? `λ[${lambdaKey}]` : 'λ');
  const allMetrics = [...new Set(evals.map((e) => e.metric))].sort();
  const metrics = options.metrics ?? allMetrics;
  for (const m of metrics) {
    if (!allMetrics.includes(m)) throw new TrackerError('INVALID_ARGUMENT', `report metric ${JSON.stringify(m)} has no evaluation points; known: ${allMetrics.join(', ') || '(none)'}`);
  }
  const seriesOf = seriesNamer(runs);
  const target = options.gapTarget;
  if (target !== undefined) {
    if (!metrics.includes(target.metric)) {
      throw new TrackerError('INVALID_ARGUMENT', `gapTarget metric ${JSON.stringify(target.metric)} is not a report metric; known: ${metrics.join(', ') || '(none)'}`);
    }
    if (!(target.value > 0) || !Number.isFinite(target.value)) {
      throw new TrackerError('INVALID_ARGUMENT', `gapTarget value must be a positive fraction (0.03 = 3%), got ${target.value}`);
    }
  }

  if (lambdaKey && evals.length) {
    const points = evaluationGrid(evals, lambdaKey, seriesOf);
    const tradeoffs = options.tradeoffs ?? (allMetrics.length >= 2 ? [{ x: allMetrics[0], y: allMetrics[1] }] : []);
    tradeoffs.forEach((axes, i) => {
      for (const m of [axes.x, axes.y]) {
        if (!allMetrics.includes(m)) throw new TrackerError('INVALID_ARGUMENT', `trade-off axis metric ${JSON.stringify(m)} has no evaluation points; known: ${allMetrics.join(', ')}`);
      }
      const rows: TradeoffPoint[] = [];
      let dropped = 0;
      for (const p of points) {
        const x = p.values[axes.x];
        const y = p.values[axes.y];
        if (x === undefined || y === undefined) continue;
        if (!plottable(x, axes.xScale) || !plottable(y, axes.yScale)) {
          dropped++;
          continue;
        }
        rows.push({ series: p.series, run: p.run, kind: p.kind, lambda: p.lambda, x, y });
      }
      if (dropped) notes.push(`trade-off ${axes.x} vs ${axes.y}: ${dropped} point(s) left out (NaN/Inf, or ≤ 0 on a log axis)`);
      const xTitle = axes.xTitle ?? metricTitle(axes.x);
      const yTitle = axes.yTitle ?? metricTitle(axes.y);
      charts.push({
        id: `tradeoff-${i + 1}`,
        title: `Trade-off: ${yTitle} vs ${xTitle}`,
        spec: tradeoffSpec(rows, { xTitle, yTitle, xScale: axes.xScale, yScale: axes.yScale, lambdaTitle }, `Trade-off: ${yTitle} vs ${xTitle}`),
      });
    });

    const vsLambda: MetricPoint[] = [];
    let dropped = 0;
    for (const p of points) {
      for (const m of metrics) {
        const v = p.values[m];
        if (v === undefined) continue;
        if (!Number.isFinite(v) || !(p.lambda > 0)) {
          dropped++;
          continue;
        }
        vsLambda.push({ series: p.series, run: p.run, kind: p.kind, lambda: p.lambda, metric: metricTitle(m), value: v });
      }
    }
    if (dropped) notes.push(`metrics against ${lambdaTitle}: ${dropped} value(s) left out (NaN/Inf, or ${lambdaTitle} ≤ 0 on the log axis)`);
    if (vsLambda.length) {
      charts.push({ id: 'metrics-vs-lambda', title: `Metrics against ${lambdaTitle}`, spec: metricVsLambdaSpec(vsLambda, lambdaTitle, metrics.map(metricTitle)) });
    }

    const gaps = gapPoints(evals, lambdaKey, metrics);
    const plottedGaps = gaps.filter((g) => Number.isFinite(g.gap) && g.lambda > 0);
    if (plottedGaps.length) {
      charts.push({
        id: 'gap',
        title: 'Relative gap to the baselines',
        spec: gapSpec(
          plottedGaps.map((g) => ({ ...g, metric: metricTitle(g.metric) })),
          lambdaTitle,
          metrics.map(metricTitle),
          target && ({ metric: metricTitle(target.metric), value: target.value } satisfies GapTarget),
        ),
      });
    } else {
      notes.push('no relative-gap chart: no baseline shares an evaluated λ with a YOTO model');
    }
    tables.push({
      id: 'gaps',
      title: 'Relative gap per grid point',
      columns: ['metric', lambdaTitle, 'baseline run', 'baseline', 'YOTO run', 'YOTO', 'gap'],
      rows: gaps.map((g) => ({
        metric: g.metric,
        [lambdaTitle]: g.lambda,
        'baseline run': g.baselineRun,
        baseline: g.baseline,
        'YOTO run': g.yotoRun,
        YOTO: g.yoto,
        gap: g.gap,
      })),
    });
  } else {
    notes.push('no evaluation points yet: trade-off, metric and gap charts are left out');
  }

  const curves = learningCurveChart(tracker, exp, runs, options, notes);
  if (curves) charts.push(curves);

  const compute = tracker.computeSummary(exp.id, { runIds });
  const [yoto, base] = compute.totals;
  if (runs.length) {
    const ratio = (a: number, b: number) => (a > 0 ? `${(b / a).toFixed(1)}×` : 'n/a');
    const subtitle =
      `${yoto.runs} YOTO run(s) vs ${base.runs} baseline run(s): baselines took ${ratio(yoto.seconds, base.seconds)} ` +
      `the time and ${ratio(yoto.steps, base.steps)} the steps`;
    charts.push({
      id: 'compute',
      title: 'Compute spent',
      spec: computeSpec(
        compute.runs.map((r) => ({ approach: r.kind === 'yoto' ? YOTO_SERIES : BASELINE_SERIES, run: r.run, seconds: r.seconds, steps: r.steps })),
        subtitle,
      ),
    });
  }

  tables.unshift(runsTable(runs, lambdaKey, lambdaTitle));
  tables.push({ id: 'evaluations', title: 'Evaluation points', ...tracker.evaluationTable(exp.id, { runIds }) });
  tables.push({
    id: 'compute',
    title: 'Compute per approach',
    columns: ['approach', 'runs', 'steps', 'seconds'],
    rows: compute.totals.map((t) => ({ ...t })),
  });

  const kinds = options.imageKinds ?? ['image'];
  const images = tracker.listArtifacts(exp.id, { runIds }).filter((a) => kinds.includes(a.kind));
  return { title, experiment: exp, generatedAt: Date.now(), lambdaKey, charts, tables, images, notes };
}

function chooseLambdaKey(evals: EvaluationRow[], requested: string | undefined): string {
  const values = new Map<string, Set<number>>();
  for (const e of evals) for (const [k, v] of Object.entries(e.lambda)) (values.get(k) ?? values.set(k, new Set()).get(k)!).add(v);
  const keys = [...values.keys()].sort();
  if (requested !== undefined) {
    if (!values.has(requested)) {
      throw new TrackerError('INVALID_ARGUMENT', `lambdaKey ${JSON.stringify(requested)} is not a coefficient of the evaluation points; known: ${keys.join(', ')}`);
    }
    return requested;
  }
  const varying = keys.filter((k) => values.get(k)!.size > 1);
  if (varying.length === 1) return varying[0];
  if (varying.length === 0 && keys.length === 1) return keys[0];
  throw new TrackerError(
    'INVALID_ARGUMENT',
    `cannot tell which coefficient to put on the λ axis (${varying.length ? `${varying.join(', ')} all vary` : `candidates: ${keys.join(', ')}`}); pass lambdaKey`,
  );
}

/** Series names: `YOTO` (or `YOTO: <run>` when there are several YOTO runs) and `baselines`. */
function seriesNamer(runs: RunRecord[]): (run: { kind: string; run: string }) => string {
  const yotos = runs.filter((r) => r.kind === 'yoto').length;
  return (r) => (r.kind === 'yoto' ? (yotos > 1 ? `${YOTO_SERIES}: ${r.run}` : YOTO_SERIES) : BASELINE_SERIES);
}

/** A series point with every metric measured there. */
interface GridPoint extends SeriesPoint {
  values: Record<string, number>;
}

/** Evaluation rows regrouped per (run, λ vector) with all metrics of that point together. */
function evaluationGrid(evals: EvaluationRow[], lambdaKey: string, seriesOf: ReturnType<typeof seriesNamer>): GridPoint[] {
  const byPoint = new Map<string, GridPoint>();
  for (const e of evals) {
    const lambda = e.lambda[lambdaKey];
    if (lambda === undefined) continue;
    const id = `${e.runId}\u0000${JSON.stringify(e.lambda)}`;
    let p = byPoint.get(id);
    if (!p) byPoint.set(id, (p = { series: seriesOf(e), run: e.run, kind: e.kind, lambda, values: {} }));
    p.values[e.metric] = e.value;
  }
  return [...byPoint.values()].sort((a, b) => a.run.localeCompare(b.run) || a.lambda - b.lambda);
}

/** Pairs each baseline evaluation with every YOTO evaluation at the same λ vector (relative 1e-6). */
function gapPoints(evals: EvaluationRow[], lambdaKey: string, metrics: string[]): GapPoint[] {
  const yoto = evals.filter((e) => e.kind === 'yoto' && metrics.includes(e.metric));
  const out: GapPoint[] = [];
  for (const b of evals) {
    if (b.kind !== 'baseline' || !metrics.includes(b.metric) || b.lambda[lambdaKey] === undefined) continue;
    for (const y of yoto) {
      if (y.metric !== b.metric || !sameLambda(y.lambda, b.lambda)) continue;
      out.push({
        metric: b.metric,
        lambda: b.lambda[lambdaKey],
        baselineRun: b.run,
        yotoRun: y.run,
        baseline: b.value,
        yoto: y.value,
        gap: (y.value - b.value) / Math.abs(b.value),
      });
    }
  }
  return out.sort((a, b) => a.metric.localeCompare(b.metric) || a.lambda - b.lambda);
}

function plottable(v: number, scale: ScaleType | undefined): boolean {
  return Number.isFinite(v) && (scale !== 'log' || v > 0);
}

function learningCurveChart(
  tracker: Tracker,
  exp: ExperimentRecord,
  runs: RunRecord[],
  options: ReportOptions,
  notes: string[],
): ReportChart | null {
  const rows = tracker.learningCurves(exp.id, { keys: options.curves, maxPoints: options.maxCurvePoints ?? 300, runIds: options.runIds });
  let keys = options.curves ?? [...new Set(rows.map((r) => r.key))].sort();
  if (!options.curves && keys.length > 9) {
    notes.push(`learning curves: showing 9 of ${keys.length} metrics (${keys.slice(9).join(', ')} left out; pass curves to choose)`);
    keys = keys.slice(0, 9);
  }
  const points: CurvePoint[] = rows
    .filter((r) => keys.includes(r.key) && Number.isFinite(r.value))
    .map((r) => ({ run: r.run, kind: r.kind, key: r.key, step: r.step, value: r.value }));
  const nonFinite = rows.reduce((s, r) => s + r.nonFinite, 0);
  if (nonFinite) notes.push(`learning curves: ${nonFinite} NaN/Inf value(s) were logged and are left out of the means`);
  if (!points.length) {
    notes.push('no learning curves: no step metrics logged');
    return null;
  }
  const runOrder = runs.filter((r) => points.some((p) => p.run === r.name)).map((r) => r.name);
  return { id: 'learning-curves', title: 'Learning curves', spec: learningCurvesSpec(points, keys, runOrder) };
}

function runsTable(runs: RunRecord[], lambdaKey: string | null, lambdaTitle: string): ReportTable {
  return {
    id: 'runs',
    title: 'Runs',
    columns: ['run', 'kind', 'status', lambdaTitle, 'seed', 'backend', 'steps', 'seconds', 'git', 'error'],
    rows: runs.map((r) => ({
      run: r.name,
      kind: r.kind,
      status: r.status,
      [lambdaTitle]: lambdaKey && r.lambda ? (r.lambda[lambdaKey] ?? null) : null,
      seed: r.seed,
      backend: r.backend,
      steps: r.lastStep,
      seconds: r.elapsedMs / 1000,
      git: r.gitRevision ? r.gitRevision.slice(0, 12) + (r.gitRevision.endsWith('-dirty') ? '-dirty' : '') : null,
      error: r.error,
    })),
  };
}
