import { applySets, resolveConfig } from '../config/set.js';
import { UsageError, listOf } from '../errors.js';
import type { ExperimentDefinition, ExperimentPlan } from './types.js';
import { compressionRdSweep } from './compression-rd-sweep.js';
import { styleAdjustable } from './style-adjustable.js';
import { vaeBetaSweep } from './vae-beta-sweep.js';

// Definitions are added here; the name is what `pnpm exp run <name>` takes.
const DEFINITIONS: readonly ExperimentDefinition<never>[] = [
  vaeBetaSweep as unknown as ExperimentDefinition<never>,
  compressionRdSweep as unknown as ExperimentDefinition<never>,
  styleAdjustable as unknown as ExperimentDefinition<never>,
];

export function listExperiments(): readonly ExperimentDefinition<object>[] {
  return DEFINITIONS as unknown as ExperimentDefinition<object>[];
}

export function getExperiment(name: string): ExperimentDefinition<object> {
  const def = listExperiments().find((d) => d.name === name);
  if (!def) throw new UsageError(`unknown experiment '${name}'; experiments: ${listOf(listExperiments().map((d) => d.name))}`);
  return def;
}

export interface Resolved {
  definition: ExperimentDefinition<object>;
  profile: string;
  config: Record<string, unknown>;
  plan: ExperimentPlan;
}

/** Experiment + profile + `--set` assignments → the config every run is derived from, and its plan. */
export function resolveExperiment(name: string, profile = 'default', sets: readonly string[] = []): Resolved {
  return resolveDefinition(getExperiment(name), profile, sets);
}

/** The same for a definition not (yet) in the table, e.g. one being written and tested. */
export function resolveDefinition(definition: ExperimentDefinition<object>, profile = 'default', sets: readonly string[] = []): Resolved {
  const spec = definition.profiles[profile];
  if (!spec)
    throw new UsageError(`unknown profile '${profile}' for experiment '${definition.name}'; profiles: ${listOf(Object.keys(definition.profiles))}`);
  // The profile's overrides and the --set assignments are the schema's input; it fills in every
  // default and runs every check, so a profile and a --set are held to the same rules.
  const config = resolveConfig(definition.schema, applySets(definition.schema, spec.overrides, sets));
  return { definition, profile, config: config as Record<string, unknown>, plan: definition.plan(config) };
}
