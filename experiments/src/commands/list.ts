import { listExperiments, resolveExperiment } from '../experiments/registry.js';
import { computeBudget } from '../runner/budget.js';

/** `exp list`: every experiment with its profiles and their budgets (steps and compute share). */
export function listCommand(write: (line: string) => void): void {
  for (const def of listExperiments()) {
    write(`${def.name} — ${def.description}`);
    for (const [name, profile] of Object.entries(def.profiles)) {
      const b = computeBudget(resolveExperiment(def.name, name).plan.runs);
      write(`  --profile ${name.padEnd(8)} ${profile.description}`);
      write(
        `      YOTO ${b.yotoSteps} steps; ${b.baselineCount} baselines × ${b.baselineStepsEach} steps = ${b.baselineSteps}; ` +
          `compute share ${(100 * b.share).toFixed(0)}% of the baselines'`,
      );
    }
  }
}
