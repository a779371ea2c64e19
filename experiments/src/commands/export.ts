import { resolve } from 'node:path';
import { exportRows, writeExport, type EvaluationRow } from '@yoto/tracker';
import type { ParsedArgs } from '../cli/args.js';
import type { CliIo } from '../cli/main.js';
import { guardOutput } from '../cli/output-guard.js';
import { resolveHome } from '../runner/home.js';
import { openHomeTracker } from './open-home-tracker.js';
import { userDir } from '../cli/user-dir.js';

/** `exp export`: evaluation points as tidy rows (one per run, λ and metric), CSV or JSON. */
export function exportCommand(args: ParsedArgs, io: CliIo): void {
  const format = (args.flags.format as string | undefined) ?? 'csv';
  const out = args.flags.out === undefined ? undefined : resolve(userDir(io), args.flags.out as string);
  if (out !== undefined) {
    const { db } = resolveHome(io.env, io.cwd);
    // The database and its WAL side files are what this command reads.
    guardOutput(out, { inputs: [db, `${db}-wal`, `${db}-shm`], force: Boolean(args.flags.force), what: '--out' });
  }
  const tracker = openHomeTracker(io);
  try {
    const experiment = args.flags.experiment as string | undefined;
    const names = experiment !== undefined ? [tracker.getExperiment(experiment).name] : tracker.listExperiments().map((e) => e.name);
    const rows: EvaluationRow[] = names.flatMap((n) => tracker.evaluationPoints(n));
    if (out !== undefined) {
      writeExport(out, rows, format);
      io.err(`wrote ${rows.length} evaluation rows to ${out}`);
    } else io.out(exportRows(rows, format).replace(/\r?\n$/, ''));
  } finally {
    tracker.close();
  }
}
