import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { buildReport, renderReport, type ReportOptions, type Tracker } from '@yoto/tracker';
import type { ExperimentDefinition, ExperimentPlan, PictureArtifact } from '../experiments/types.js';
import { identify } from './identity.js';

export interface ReportInput {
  tracker: Tracker;
  /** The tracker experiment. */
  record: string;
  outDir: string;
  plan: ExperimentPlan;
  /** New pictures to record (already recorded ones stay in the report). */
  images: PictureArtifact[];
  /**
   * The tracker ids of the plan's runs: the report covers these only, not runs of earlier configs
   * recorded under the same experiment (see `planRunIds`).
   */
  runIds: number[];
  /** Its `extendReport` hook, when it has one, adds the experiment's own charts and tables. */
  definition?: Pick<ExperimentDefinition<object>, 'extendReport'>;
}

/** The tracker ids of the plan's runs recorded so far (runs are named by their config, see identify). */
export function planRunIds(tracker: Tracker, record: string, experiment: string, profile: string, plan: ExperimentPlan): number[] {
  const names = new Set(plan.runs.map((s) => identify(experiment, profile, plan, s).name));
  return tracker
    .listRuns({ experiment: record })
    .filter((r) => names.has(r.name))
    .map((r) => r.id);
}

/**
 * Records the pictures as image artifacts of the experiment and renders the tracker's report (charts
 * as SVG and PNG, one self-contained HTML page embedding the pictures). Returns the HTML's path.
 */
export async function renderExperimentReport(input: ReportInput): Promise<string> {
  const { tracker, record, plan } = input;
  mkdirSync(input.outDir, { recursive: true });
  const known = tracker.listArtifacts(record, { kind: 'image' });
  for (const img of input.images) {
    const sha = createHash('sha256').update(readFileSync(img.path)).digest('hex');
    // A re-run that redraws the same picture must not list it twice.
    if (known.some((a) => a.path === img.path && a.sha256 === sha)) continue;
    tracker.logArtifact({ experiment: record, path: img.path, kind: 'image', meta: { title: img.title, about: img.caption } });
  }
  const { report } = await composeReport(input);
  const rendered = await renderReport(report, input.outDir);
  if (!rendered.html) throw new Error('the report renderer wrote no HTML page');
  return rendered.html;
}

/**
 * The experiment's report content (the generic report with the experiment's own charts and tables in
 * place of those they replace), for the static report and the explorer page alike, and the id of its
 * trade-off chart (the generic `tradeoff-1`, or the chart the experiment draws instead).
 */
export async function composeReport(input: Omit<ReportInput, 'images'>): Promise<{ report: ReturnType<typeof buildReport>; tradeoff: string }> {
  const { tracker, record, plan } = input;
  const report = buildReport(tracker, record, experimentReportOptions(record, plan, input.runIds));
  const extra = await input.definition?.extendReport?.({ plan, tracker, record, outDir: input.outDir, runIds: input.runIds });
  if (extra) {
    const replaced = new Set(extra.replaces ?? []);
    report.charts = report.charts.filter((c) => !replaced.has(c.id));
    report.tables = report.tables.filter((t) => !replaced.has(t.id));
    report.charts.unshift(...(extra.charts ?? []));
    report.tables.unshift(...(extra.tables ?? []));
    report.notes.push(...(extra.notes ?? []));
  }
  return { report, tradeoff: extra?.tradeoff ?? 'tradeoff-1' };
}

/** What an experiment's report shows, for the static report and the explorer page alike. */
export function experimentReportOptions(record: string, plan: ExperimentPlan, runIds: number[]): ReportOptions {
  const r = plan.report;
  return {
    title: `${record}: YOTO vs fixed-${r.lambdaTitle} baselines`,
    lambdaKey: r.lambdaTerm,
    lambdaTitle: r.lambdaTitle,
    tradeoffs: [{ x: r.x, y: r.y, xTitle: r.metricTitles[r.x], yTitle: r.metricTitles[r.y] }],
    metrics: r.metrics,
    curves: r.curves,
    metricTitles: r.metricTitles,
    runIds,
    gapTarget: { metric: r.gapMetric, value: r.gapTarget },
  };
}
