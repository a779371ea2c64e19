import type { MetricSink } from '../metrics/sink.js';
import type { EvaluateOptions, Task, TaskModel } from '../task/task.js';

/**
 * Held-out metrics of `model` at one full λ vector: the space the model was built for makes the
 * condition (a baseline gets none), so evaluation sees λ exactly as training did.
 */
export async function evaluateAt<M extends TaskModel>(task: Task<M>, model: M, lambda: readonly number[], options: EvaluateOptions = {}): Promise<Record<string, number>> {
  if (lambda.length !== task.terms.length || lambda.some((v) => typeof v !== 'number' || !Number.isFinite(v)))
    throw new Error(`evaluate: λ must be ${task.terms.length} finite numbers (${task.terms.join(', ')}), got [${lambda.join(', ')}]`);
  const condition = model.conditioned ? model.space.condition(lambda, 1) : null;
  try {
    return await task.evaluate(model, { lambda: [...lambda], condition }, options);
  } finally {
    condition?.dispose();
  }
}

/** One (λ, metric, value) result. */
export interface GridRow {
  lambda: Record<string, number>;
  metric: string;
  value: number;
}

export interface EvaluateGridOptions extends EvaluateOptions {
  /** Also report each point through `sink.logEvaluation`. */
  sink?: MetricSink;
  /** Called after each point (index into the grid, its metrics). */
  onPoint?(index: number, lambda: Record<string, number>, metrics: Record<string, number>): void;
}

/**
 * Evaluates `model` on the task's held-out data at every λ of `grid` (full vectors, task-term order).
 * A YOTO model is passed the whole grid; a fixed-λ baseline is usually passed its own point only
 * (`[lambda]`), though nothing stops evaluating it elsewhere (its weights simply ignore λ).
 */
export async function evaluateGrid<M extends TaskModel>(task: Task<M>, model: M, grid: readonly (readonly number[])[], options: EvaluateGridOptions = {}): Promise<GridRow[]> {
  if (!Array.isArray(grid) || grid.length === 0) throw new Error('evaluateGrid: the grid must be a non-empty array of λ vectors');
  grid.forEach((l, i) => {
    if (!Array.isArray(l) || l.length !== task.terms.length)
      throw new Error(`evaluateGrid: grid point ${i} must have ${task.terms.length} values (${task.terms.join(', ')}), got ${Array.isArray(l) ? l.length : typeof l}`);
    l.forEach((v, j) => {
      if (!Number.isFinite(v) || v < 0) throw new Error(`evaluateGrid: grid point ${i}, term '${task.terms[j]}' must be a finite number ≥ 0, got ${v}`);
    });
  });
  const { sink, onPoint, ...evaluate } = options;
  const rows: GridRow[] = [];
  for (let i = 0; i < grid.length; i++) {
    const lambda = Object.fromEntries(task.terms.map((t, j) => [t, grid[i][j]]));
    const metrics = await evaluateAt(task, model, grid[i], evaluate);
    for (const [metric, value] of Object.entries(metrics)) rows.push({ lambda: { ...lambda }, metric, value });
    sink?.logEvaluation?.(lambda, metrics);
    onPoint?.(i, lambda, metrics);
  }
  return rows;
}
