import type { RunKind, RunStatus } from '@yoto/tracker';
import type { ParsedArgs } from '../cli/args.js';
import type { CliIo } from '../cli/main.js';
import { formatMs, formatTable } from '../cli/table.js';
import { openHomeTracker } from './open-home-tracker.js';

/** `exp runs`: the runs in the tracker, newest last. */
export function runsCommand(args: ParsedArgs, io: CliIo): void {
  const tracker = openHomeTracker(io);
  try {
    const experiment = args.flags.experiment as string | undefined;
    if (experiment !== undefined) tracker.getExperiment(experiment);
    const runs = tracker.listRuns({
      experiment,
      status: args.flags.status as RunStatus | undefined,
      kind: args.flags.kind as RunKind | undefined,
    });
    if (args.flags.json) {
      io.out(JSON.stringify(runs));
      return;
    }
    if (runs.length === 0) {
      io.out('no runs');
      return;
    }
    const rows = runs.map((r) => ({
      id: r.id,
      experiment: r.experiment,
      name: r.name,
      kind: r.kind,
      status: r.status,
      lambda: r.lambda ? Object.entries(r.lambda).map(([k, v]) => `${k}=${v}`).join(' ') : '',
      step: r.lastStep,
      time: formatMs(r.elapsedMs),
      backend: r.backend ?? '',
    }));
    for (const l of formatTable(['id', 'experiment', 'name', 'kind', 'status', 'lambda', 'step', 'time', 'backend'], rows)) io.out(l);
  } finally {
    tracker.close();
  }
}
