import type { ParsedArgs } from '../cli/args.js';
import type { CliIo } from '../cli/main.js';
import { settableKeys, type SettableKey } from '../config/set.js';
import { resolveExperiment } from '../experiments/registry.js';
import { computeBudget } from '../runner/budget.js';

/**
 * `exp show-config <name>`: the resolved config read off the experiment's schema (every settable key
 * with its value, unit, the kind of value `--set` takes, and what it means), then the budget.
 */
export function showConfigCommand(args: ParsedArgs, io: CliIo): void {
  const r = resolveExperiment(args.positionals[0], args.flags.profile as string | undefined, (args.flags.set as string[]) ?? []);
  const budget = computeBudget(r.plan.runs);
  if (args.flags.json) {
    io.out(JSON.stringify({ experiment: r.definition.name, profile: r.profile, config: r.config, budget }));
    return;
  }
  io.out(`${r.definition.name} --profile ${r.profile}`);
  for (const k of settableKeys(r.definition.schema, r.config)) io.out(keyLine(k));
  io.out(
    `budget: YOTO ${budget.yotoSteps} steps; baselines ${budget.baselineCount} × ${budget.baselineStepsEach} = ${budget.baselineSteps} steps; ` +
      `compute share ${(100 * budget.share).toFixed(1)}%`,
  );
}

/** `  yoto.steps = 12000 steps [integer] the YOTO model's training budget`. */
export function keyLine(k: SettableKey): string {
  const value = Array.isArray(k.value) ? k.value.join(',') : String(k.value);
  const unit = k.meta?.unit ? ` ${k.meta.unit}` : '';
  const about = k.meta?.description ? ` ${k.meta.description}` : '';
  return `  ${k.path} = ${value}${unit} [${kindTag(k)}]${about}`;
}

/** `integer`, `number list`, `cosine|constant`: what `--set` takes, short. */
function kindTag(k: SettableKey): string {
  const names = (k.choices ?? []).join('|');
  if (k.kind === 'choice') return names;
  if (k.kind === 'choice[]') return `list of ${names}`;
  return k.kind.endsWith('[]') ? `${k.kind.slice(0, -2)} list` : k.kind;
}
