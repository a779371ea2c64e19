import { UsageError } from '../errors.js';
import type { ParsedArgs } from '../cli/args.js';
import type { CliIo } from '../cli/main.js';
import { formatMs, formatTable } from '../cli/table.js';
import { openHomeTracker } from './open-home-tracker.js';

/** `exp show <run-id>`: one run's record, params, latest metrics and evaluation points. */
export function showCommand(args: ParsedArgs, io: CliIo): void {
  const raw = args.positionals[0];
  if (!/^\d+$/.test(raw)) throw new UsageError(`run id must be a number (see \`pnpm exp runs\`), got '${raw}'`);
  const tracker = openHomeTracker(io);
  try {
    const run = tracker.getRun(Number(raw));
    const params = tracker.params(run.id);
    const latest = tracker.latestMetrics(run.id);
    const evals = tracker.evaluationPoints(run.experimentId).filter((e) => e.runId === run.id);
    if (args.flags.json) {
      io.out(JSON.stringify({ run, params, latest, evaluations: evals }));
      return;
    }
    io.out(`run ${run.id}: ${run.name} (${run.kind}) in ${run.experiment}`);
    io.out(`  status   ${run.status}${run.error ? ` — ${run.error}` : ''}`);
    if (run.lambda) io.out(`  lambda   ${JSON.stringify(run.lambda)}`);
    io.out(`  steps    ${run.lastStep ?? 0}, training time ${formatMs(run.elapsedMs)}`);
    io.out(`  backend  ${run.backend ?? '?'}, seed ${run.seed ?? '?'}, git ${run.gitRevision ?? '?'}, host ${run.host}`);
    io.out(`  started  ${new Date(run.startedAt).toISOString()}${run.endedAt ? `, ended ${new Date(run.endedAt).toISOString()}` : ''}`);
    if (run.tags.length) io.out(`  tags     ${run.tags.join(', ')}`);
    io.out(`  config   ${JSON.stringify(run.config)}`);
    if (Object.keys(params).length) io.out(`  params   ${JSON.stringify(params)}`);
    const metrics = Object.entries(latest);
    if (metrics.length) {
      io.out('latest metrics:');
      for (const l of formatTable(['metric', 'step', 'value'], metrics.map(([k, p]) => ({ metric: k, step: p.step, value: p.value })))) io.out(`  ${l}`);
    }
    if (evals.length) {
      const byLambda = new Map<string, Record<string, unknown>>();
      for (const e of evals) {
        const key = JSON.stringify(e.lambda);
        const row = byLambda.get(key) ?? { lambda: Object.entries(e.lambda).map(([k, v]) => `${k}=${v}`).join(' ') };
        row[e.metric] = e.value;
        byLambda.set(key, row);
      }
      const metricNames = [...new Set(evals.map((e) => e.metric))].sort();
      io.out('evaluation:');
      for (const l of formatTable(['lambda', ...metricNames], [...byLambda.values()])) io.out(`  ${l}`);
    }
  } finally {
    tracker.close();
  }
}
