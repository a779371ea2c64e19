import type { ParsedArgs } from '../cli/args.js';
import type { CliIo } from '../cli/main.js';
import { settableKeys } from '../config/set.js';
import { resolveExperiment } from '../experiments/registry.js';
import { computeBudget } from '../runner/budget.js';

/** `exp show-config <name>`: the resolved config, every settable key with its type, the budget. */
export function showConfigCommand(args: ParsedArgs, io: CliIo): void {
  const r = resolveExperiment(args.positionals[0], args.flags.profile as string | undefined, (args.flags.set as string[]) ?? []);
  const budget = computeBudget(r.plan.runs);
  if (args.flags.json) {
    io.out(JSON.stringify({ experiment: r.definition.name, profile: r.profile, config: r.config, budget }));
    return;
  }
  io.out(`${r.definition.name} --profile ${r.profile}`);
  for (const k of settableKeys(r.config, r.definition.keyTypes)) io.out(`  ${k.path} (${k.type}) = ${JSON.stringify(k.value)}`);
  io.out(
    `budget: YOTO ${budget.yotoSteps} steps; baselines ${budget.baselineCount} × ${budget.baselineStepsEach} = ${budget.baselineSteps} steps; ` +
      `compute share ${(100 * budget.share).toFixed(1)}%`,
  );
}
