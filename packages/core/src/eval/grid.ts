import type { MetricSink } from '../metrics/sink.js';
import type { EvaluateOptions, Task, TaskModel } from '../task/task.js';

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
    const metrics = await task.evaluate(model, grid[i], evaluate);
    for (const [metric, value] of Object.entries(metrics)) rows.push({ lambda: { ...lambda }, metric, value });
    sink?.logEvaluation?.(lambda, metrics);
    onPoint?.(i, lambda, metrics);
  }
  return rows;
}
