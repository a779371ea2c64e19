import { availableParallelism } from 'node:os';
import { BACKEND_CHOICES } from '@yoto/core/backend-choices';
import { UsageError, listOf } from '../errors.js';
import type { ParsedArgs } from '../cli/args.js';
import type { CliIo } from '../cli/main.js';
import { resolveExperiment } from '../experiments/registry.js';
import { checkHome, resolveHome } from '../runner/home.js';
import { checkRedis } from '../runner/queue.js';
import { runExperiment } from '../runner/run-experiment.js';
import { describeSummary } from '../runner/summary.js';

/** `exp run <name>`: exit 0 done, 1 a run failed, 130 interrupted (re-run to resume). */
export async function runCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const experiment = args.positionals[0];
  const profile = (args.flags.profile as string | undefined) ?? 'default';
  const sets = (args.flags.set as string[] | undefined) ?? [];
  // Every usage error before anything starts.
  resolveExperiment(experiment, profile, sets);
  const workers = args.flags.workers as number | undefined;
  if (workers !== undefined && workers < 1) throw new UsageError(`--workers must be at least 1, got ${workers}`);
  const cores = availableParallelism();
  if (workers !== undefined && workers > cores)
    // Allowed (a GPU or a native backend may want it), but every extra worker slows the others.
    io.err(`note: --workers ${workers} is more than the ${cores} CPU core(s) here: the workers will share them and each runs slower`);
  const backend = args.flags.backend as string | undefined;
  if (backend !== undefined && !(BACKEND_CHOICES as readonly string[]).includes(backend))
    throw new UsageError(`unknown backend '${backend}'; backends: ${listOf(BACKEND_CHOICES)}`);
  const json = Boolean(args.flags.json);
  const home = resolveHome(io.env, io.cwd);
  checkHome(home, 'write');
  const queue = args.flags.queue as string | undefined;
  if (queue !== undefined) await checkRedis(queue);

  const outcome = await runExperiment({
    experiment,
    profile,
    sets,
    workers,
    backend,
    home,
    progress: io.progress,
    log: io.err,
    handleSignals: true,
    env: io.env,
    retryFailed: Boolean(args.flags['retry-failed']),
    queue,
  });
  if (outcome.status === 'done') {
    for (const l of describeSummary(outcome.summary)) io.out(l);
    if (json) io.out(JSON.stringify({ status: 'done', ...outcome.summary }));
    return 0;
  }
  if (outcome.status === 'interrupted') {
    io.err(`interrupted: ${outcome.stopped.join(', ')} checkpointed or not started; run the same command again to resume.`);
    if (json) io.out(JSON.stringify({ status: 'interrupted', experiment, profile, stopped: outcome.stopped }));
    return 130;
  }
  for (const e of outcome.errors) io.err(`failed: ${e}`);
  if (json) io.out(JSON.stringify({ status: 'failed', experiment, profile, errors: outcome.errors }));
  return 1;
}
