import { resolve } from 'node:path';
import { exportRows, writeExport, type EvaluationRow } from '@yoto/tracker';
import type { ParsedArgs } from '../cli/args.js';
import type { CliIo } from '../cli/main.js';
import { openHomeTracker } from './tracker.js';

/** `exp export`: evaluation points as tidy rows (one per run, λ and metric), CSV or JSON. */
export function exportCommand(args: ParsedArgs, io: CliIo): void {
  const format = (args.flags.format as string | undefined) ?? 'csv';
  const tracker = openHomeTracker(io);
  try {
    const experiment = args.flags.experiment as string | undefined;
    const names = experiment !== undefined ? [tracker.getExperiment(experiment).name] : tracker.listExperiments().map((e) => e.name);
    const rows: EvaluationRow[] = names.flatMap((n) => tracker.evaluationPoints(n));
    const out = args.flags.out as string | undefined;
    if (out !== undefined) {
      const path = resolve(io.cwd, out);
      writeExport(path, rows, format);
      io.err(`wrote ${rows.length} evaluation rows to ${path}`);
    } else io.out(exportRows(rows, format).replace(/\r?\n$/, ''));
  } finally {
    tracker.close();
  }
}
