import { UsageError } from '../errors.js';
import type { ParsedArgs } from '../cli/args.js';
import type { CliIo } from '../cli/main.js';
import { resolveExperiment } from '../experiments/registry.js';
import { recordName, reportDir, resolveHome } from '../runner/home.js';
import { planRunIds, renderExperimentReport } from '../runner/report.js';
import { recordedSets } from '../runner/set-tags.js';
import { openHomeTracker } from './open-home-tracker.js';

/** `exp report <name>`: renders the report again from what the tracker holds (no training). */
export async function reportCommand(args: ParsedArgs, io: CliIo): Promise<void> {
  const resolved = resolveExperiment(args.positionals[0], (args.flags.profile as string | undefined) ?? 'default', (args.flags.set as string[]) ?? []);
  const home = resolveHome(io.env, io.cwd);
  const record = recordName(resolved.definition.name, resolved.profile);
  const tracker = openHomeTracker(io, resolved.definition.name);
  try {
    if (!tracker.findExperiment(record))
      throw new UsageError(
        `no runs of '${record}' in ${home.dbLabel}; recorded experiments: ${tracker.listExperiments().map((e) => e.name).join(', ') || '(none)'}`,
      );
    const runIds = planRunIds(tracker, record, resolved.definition.name, resolved.profile, resolved.plan);
    if (runIds.length === 0) {
      const asked = (args.flags.set as string[] | undefined) ?? [];
      const command = `pnpm exp report ${resolved.definition.name}${resolved.profile === 'default' ? '' : ` --profile ${resolved.profile}`}`;
      const other = recordedSets(tracker.listRuns({ experiment: record })).filter((f) => f !== asked.map((x) => `--set ${x}`).join(' '));
      throw new UsageError(
        `none of the runs of the current '${record}' config${asked.length ? ` (with ${asked.map((x) => `--set ${x}`).join(' ')})` : ''} are recorded in ${home.dbLabel}; ` +
          (other.length > 0
            ? `the recorded runs were trained with ${other.map((f) => f || 'no --set').join(', or ')}: \`${command}${other[0] ? ` ${other[0]}` : ''}\``
            : `run \`pnpm exp run ${resolved.definition.name}\` first`),
      );
    }
    const html = await renderExperimentReport({
      tracker,
      record,
      outDir: reportDir(home, record),
      plan: resolved.plan,
      runIds,
      images: [],
      definition: resolved.definition,
    });
    io.out(html);
  } finally {
    tracker.close();
  }
}
