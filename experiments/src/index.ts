// @yoto/experiments: the `exp` CLI, experiment definitions and the runner behind `pnpm exp run`.
export { main, processIo, type CliIo } from './cli/main.js';
export { getExperiment, listExperiments, resolveDefinition, resolveExperiment, type Resolved } from './experiments/registry.js';
export type * from './experiments/types.js';
export { vaeBetaSweep, type VaeSweepConfig } from './experiments/vae-beta-sweep.js';
export { compressionRdSweep, type CompressionSweepConfig } from './experiments/compression-rd-sweep.js';
export { bdQuality, bdRate, type BdResult, type RdPoint } from './experiments/compression/bd-rate.js';
export { runExperiment, type RunExperimentOptions, type RunExperimentOutcome } from './runner/run-experiment.js';
export { resolveHome, recordName, type Home } from './runner/home.js';
export { computeBudget, type Budget } from './runner/budget.js';
export type { Summary, RunSummary, PointComparison, MetricComparison } from './runner/summary.js';
export { applySets, resolveConfig, settableKeys, type SettableKey } from './config/set.js';
export { defineSweep, type SweepDefinition } from './experiments/define-sweep.js';
export type { BaselinePlan, NamedBaselines, SweptBaselines } from './experiments/baseline-plan.js';
export * as keys from './config/keys.js';
export { evaluationLogGrid, lambdaGrid } from './experiments/log-grid.js';
export { fmt } from './experiments/format.js';
