import { existsSync } from 'node:fs';
import { checkpointPath } from '@yoto/core/checkpoint-path';
import type { specs, Tracker } from '@yoto/tracker';
import { UsageError } from '../errors.js';
import type { Resolved } from '../experiments/registry.js';
import { checkpointDir, recordName, reportDir, type Home } from '../runner/home.js';
import { identify } from '../runner/identity.js';
import { composeReport, planRunIds } from '../runner/report.js';

/** One trained model the page can load: its checkpoint is served at `/checkpoint/<runId>`. */
export interface ExplorerModel {
  runId: number;
  name: string;
  kind: 'yoto' | 'baseline';
  /** The plan's label of the run (e.g. `β=8`, or a named setting such as `balanced`); its name when the plan has no such run. */
  label: string;
  /** A baseline's own λ (every term); null for the YOTO model. */
  lambda: Record<string, number> | null;
}

/** What the page needs besides the checkpoints, as JSON (`/state.json`). */
export interface ExplorerState {
  experiment: string;
  /** The tracker experiment (`name@profile` for a non-default profile). */
  record: string;
  task: string;
  yoto: ExplorerModel;
  baselines: ExplorerModel[];
  /** The coefficient on the chart's λ axis, and how it is written (e.g. `kl`, `β`). */
  lambdaTerm: string;
  lambdaTitle: string;
  /** Trade-off axes (metric names) and their titles. */
  x: string;
  y: string;
  metricTitles: Record<string, string>;
  /**
   * The report's trade-off chart, the same Vega-Lite spec as the static report's (the experiment's
   * own where it draws one instead, e.g. style's plane with a line per setting).
   */
  chart: specs.VegaLiteSpec;
  /** Every held-out evaluation of these runs recorded in the tracker. */
  evaluations: { runId: number; lambda: Record<string, number>; metric: string; value: number }[];
}

/**
 * The explorer's view of an experiment's finished runs, or a UsageError naming what is missing:
 * no runs of the experiment, no finished YOTO run, an unknown or unfinished `--run`, a checkpoint
 * that is not on disk.
 */
export async function explorerState(tracker: Tracker, home: Home, resolved: Resolved, runId?: number): Promise<ExplorerState> {
  const { definition, profile, plan } = resolved;
  const record = recordName(definition.name, profile);
  const command = `pnpm exp run ${definition.name}${profile === 'default' ? '' : ` --profile ${profile}`}`;
  if (!tracker.findExperiment(record)) throw new UsageError(`no runs of '${record}' in ${home.dbLabel}; run \`${command}\` first`);
  const runs = tracker.listRuns({ experiment: record });
  const planned = new Set(planRunIds(tracker, record, definition.name, profile, plan));
  const finished = runs.filter((r) => r.status === 'finished');
  let yoto;
  if (runId !== undefined) {
    yoto = runs.find((r) => r.id === runId);
    if (!yoto) throw new UsageError(`--run ${runId} is not a run of '${record}'; its runs: ${runs.map((r) => `${r.id} (${r.kind}, ${r.status})`).join(', ')}`);
    if (yoto.kind !== 'yoto') throw new UsageError(`--run ${runId} is a ${yoto.kind} run; the explorer turns the λ of a YOTO run (${finished.filter((r) => r.kind === 'yoto').map((r) => r.id).join(', ') || 'none finished'})`);
    if (yoto.status !== 'finished') throw new UsageError(`--run ${runId} is ${yoto.status}, not finished; finish it with \`${command}\``);
  } else {
    yoto = finished.filter((r) => r.kind === 'yoto' && planned.has(r.id)).at(-1) ?? finished.filter((r) => r.kind === 'yoto').at(-1);
    if (!yoto) throw new UsageError(`'${record}' has no finished YOTO run in ${home.dbLabel}; run \`${command}\` first`);
  }
  // Baselines of the same config as the chosen YOTO run when it is the current one, else every finished one.
  const baselineRuns = finished.filter((r) => r.kind === 'baseline' && (!planned.has(yoto.id) || planned.has(r.id)));
  const labels = new Map(plan.runs.map((spec) => [identify(definition.name, profile, plan, spec).name, spec.label]));
  const models: ExplorerModel[] = [yoto, ...baselineRuns].map((r) => ({
    runId: r.id,
    name: r.name,
    kind: r.kind,
    label: labels.get(r.name) ?? r.name,
    lambda: r.kind === 'baseline' ? r.lambda : null,
  }));
  for (const m of models) {
    const file = checkpointPath(checkpointDir(home, m.runId));
    if (!existsSync(file)) throw new UsageError(`run ${m.runId} (${m.name}) is finished but its checkpoint ${file} is missing; run \`${command}\` to train it again`);
  }
  const runIds = models.map((m) => m.runId);
  const { report, tradeoff } = await composeReport({ tracker, record, plan, runIds, definition, outDir: reportDir(home, record) });
  const chart = report.charts.find((c) => c.id === tradeoff);
  if (!chart) throw new UsageError(`'${record}' has no evaluation points to chart yet; run \`${command}\` to evaluate its runs`);
  const r = plan.report;
  return {
    experiment: definition.name,
    record,
    task: plan.task.name,
    yoto: models[0],
    baselines: models.slice(1).filter((m) => m.lambda !== null),
    lambdaTerm: r.lambdaTerm,
    lambdaTitle: r.lambdaTitle,
    x: r.x,
    y: r.y,
    metricTitles: r.metricTitles,
    chart: chart.spec,
    evaluations: tracker.evaluationPoints(record, { runIds }).map((e) => ({ runId: e.runId, lambda: e.lambda, metric: e.metric, value: e.value })),
  };
}

/** The checkpoint file of a run the state lists (the server serves nothing else). */
export function modelCheckpoint(home: Home, state: ExplorerState, runId: number): string | null {
  return [state.yoto, ...state.baselines].some((m) => m.runId === runId) ? checkpointPath(checkpointDir(home, runId)) : null;
}
