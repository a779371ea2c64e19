// The current λ's place on the trade-off chart, from the held-out grid the tracker recorded. Pure
// functions (no DOM, no tfjs), so the Node tests check them directly.

export interface GridPoint {
  lambda: number;
  metrics: Record<string, number>;
}

export interface CurvePosition {
  /** Metric values at λ: recorded when λ is a grid point, else interpolated in log λ between neighbours. */
  metrics: Record<string, number>;
  /** True when λ is (within 1e-6 relative) a grid point, so the values are held-out measurements. */
  exact: boolean;
  /** The grid λ on either side (equal when exact or outside the grid, where the nearest end is used). */
  below: number;
  above: number;
}

/** The grid points of one run along `term`, sorted by λ, with every metric recorded at each. */
export function gridOf(evaluations: { runId: number; lambda: Record<string, number>; metric: string; value: number }[], runId: number, term: string): GridPoint[] {
  const byLambda = new Map<number, Record<string, number>>();
  for (const e of evaluations) {
    if (e.runId !== runId) continue;
    const l = e.lambda[term];
    if (!(l > 0)) continue;
    const m = byLambda.get(l) ?? {};
    m[e.metric] = e.value;
    byLambda.set(l, m);
  }
  return [...byLambda.entries()].sort((a, b) => a[0] - b[0]).map(([lambda, metrics]) => ({ lambda, metrics }));
}

/** Where λ lies on the grid curve (linear in log λ between the two neighbouring grid points). */
export function positionOn(grid: GridPoint[], lambda: number): CurvePosition | null {
  if (grid.length === 0 || !(lambda > 0)) return null;
  const hit = grid.find((p) => Math.abs(p.lambda - lambda) <= 1e-6 * lambda);
  if (hit) return { metrics: { ...hit.metrics }, exact: true, below: hit.lambda, above: hit.lambda };
  if (lambda <= grid[0].lambda) return { metrics: { ...grid[0].metrics }, exact: false, below: grid[0].lambda, above: grid[0].lambda };
  const last = grid[grid.length - 1];
  if (lambda >= last.lambda) return { metrics: { ...last.metrics }, exact: false, below: last.lambda, above: last.lambda };
  const i = grid.findIndex((p) => p.lambda > lambda);
  const a = grid[i - 1];
  const b = grid[i];
  const t = (Math.log(lambda) - Math.log(a.lambda)) / (Math.log(b.lambda) - Math.log(a.lambda));
  const metrics: Record<string, number> = {};
  for (const k of Object.keys(a.metrics)) if (k in b.metrics) metrics[k] = a.metrics[k] + t * (b.metrics[k] - a.metrics[k]);
  return { metrics, exact: false, below: a.lambda, above: b.lambda };
}

/** Slider position (0…steps) ↔ value, log-scaled when `log` (the space encodes the term as log λ). */
export function sliderToValue(position: number, steps: number, min: number, max: number, log: boolean): number {
  const t = Math.min(1, Math.max(0, position / steps));
  return log ? Math.exp(Math.log(min) + t * (Math.log(max) - Math.log(min))) : min + t * (max - min);
}

export function valueToSlider(value: number, steps: number, min: number, max: number, log: boolean): number {
  const v = Math.min(max, Math.max(min, value));
  const t = log ? (Math.log(v) - Math.log(min)) / (Math.log(max) - Math.log(min)) : (v - min) / (max - min);
  return Math.round(t * steps);
}

/**
 * The metrics recorded for run `runId` at exactly λ (every term within 1e-6 relative; style weights
 * may be 0), or null: where several coefficients move, the grid is a set of points, and between them
 * there is nothing to interpolate along.
 */
export function recordedAt(evaluations: { runId: number; lambda: Record<string, number>; metric: string; value: number }[], runId: number, lambda: Record<string, number>): Record<string, number> | null {
  const same = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(Math.abs(a), Math.abs(b)) + 1e-12;
  const terms = Object.keys(lambda);
  const hits = evaluations.filter((e) => e.runId === runId && terms.every((t) => t in e.lambda && same(e.lambda[t], lambda[t])));
  return hits.length ? Object.fromEntries(hits.map((e) => [e.metric, e.value])) : null;
}
