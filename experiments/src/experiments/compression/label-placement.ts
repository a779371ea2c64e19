// Placement of point labels on a chart, in pixels (pure, so it is testable without rendering).
// Vega-Lite places a text mark at a fixed offset from its point, so two points a few pixels apart
// print their labels over each other (λ = 0.018 and 0.057 did). Here each label takes the cheapest
// free position around its point: as near as possible, not over a marker, not nearer another
// labelled point than its own (a reader pairs a label with the nearest point), and, where it has to
// stand off, joined to its point by a leader line that crosses no other label.

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface Point {
  x: number;
  y: number;
}

/** A leader line: from the edge of the marker (x0, y0) to the nearest point of its label's box (x1, y1). */
export interface Segment {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface LabelRequest {
  /** The labelled point, in pixels (y down). */
  x: number;
  y: number;
  width: number;
  height: number;
  /** Labels of higher priority are placed first (default 0). */
  priority?: number;
}

export interface PlacedLabel {
  box: Box;
  /** Null when the label is adjacent to its point (on the first ring). */
  leader: Segment | null;
}

export interface PlacementOptions {
  /** Clearance between a point and its label on the first ring, in pixels. */
  gap?: number;
  /** Growth of the clearance from one ring to the next, and the spacing of positions along a ring. */
  step?: number;
  /** The largest clearance tried; a label with no free position within it is left out. */
  maxDistance?: number;
  /** Where a leader starts: this far from the point (inside the marker, which is drawn over it). */
  markerRadius?: number;
}

// Costs, in pixels of clearance: a position's cost is its clearance plus these. Covering a marker is
// a last resort; a leader through another label (or a label over another's leader) reads as a
// wrong pairing, so it weighs as much as moving 10 rings out; standing nearer another labelled point
// than one's own as 5 rings.
const COVERS_MARKER = 1000;
const CROSSES_LABEL = 60;
const CROSSES_LEADER = 20;
const LEADER_OVER_MARKER = 15;
const AMBIGUOUS = 30;
/** A label counts as beside another labelled point unless that point is this much farther than its own. */
const AMBIGUITY_MARGIN = 8;

export function boxesIntersect(a: Box, b: Box): boolean {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

/** The box of the given size centred on (cx, cy). */
export function centredBox(cx: number, cy: number, width: number, height: number): Box {
  return { x0: cx - width / 2, y0: cy - height / 2, x1: cx + width / 2, y1: cy + height / 2 };
}

/** The point of `box` nearest to `p` (p itself when inside). */
export function nearestPoint(box: Box, p: Point): Point {
  return { x: Math.min(Math.max(p.x, box.x0), box.x1), y: Math.min(Math.max(p.y, box.y0), box.y1) };
}

/** Distance from `p` to `box` (0 inside). */
export function clearance(box: Box, p: Point): number {
  const q = nearestPoint(box, p);
  return Math.hypot(q.x - p.x, q.y - p.y);
}

/** Whether the segment passes through the inside of the box (touching an edge does not count). */
export function segmentCrossesBox(s: Segment, b: Box): boolean {
  // Liang–Barsky: clip the parameter range [0, 1] against each slab of the box.
  let t0 = 0;
  let t1 = 1;
  const dx = s.x1 - s.x0;
  const dy = s.y1 - s.y0;
  for (const [p, q] of [
    [-dx, s.x0 - b.x0],
    [dx, b.x1 - s.x0],
    [-dy, s.y0 - b.y0],
    [dy, b.y1 - s.y0],
  ]) {
    if (p === 0) {
      if (q <= 0) return false;
      continue;
    }
    const t = q / p;
    if (p < 0) t0 = Math.max(t0, t);
    else t1 = Math.min(t1, t);
    if (t0 >= t1) return false;
  }
  return t1 - t0 > 1e-9;
}

/** Whether two segments cross (a shared end point does not count). */
export function segmentsCross(a: Segment, b: Segment): boolean {
  const side = (s: Segment, x: number, y: number) => (s.x1 - s.x0) * (y - s.y0) - (s.y1 - s.y0) * (x - s.x0);
  const d1 = side(a, b.x0, b.y0);
  const d2 = side(a, b.x1, b.y1);
  const d3 = side(b, a.x0, a.y0);
  const d4 = side(b, a.x1, a.y1);
  return d1 * d2 < 0 && d3 * d4 < 0;
}

/** The leader from the point's marker (`markerRadius` from its centre) to the nearest point of `box`. */
export function leaderLine(p: Point, box: Box, markerRadius: number): Segment {
  const q = nearestPoint(box, p);
  const d = Math.hypot(q.x - p.x, q.y - p.y) || 1;
  return { x0: p.x + ((q.x - p.x) / d) * markerRadius, y0: p.y + ((q.y - p.y) / d) * markerRadius, x1: q.x, y1: q.y };
}

/**
 * The positions of a label whose box keeps exactly `d` from the point: the centres lie on a rounded
 * rectangle around it. Each comes with a small preference (pixels) that orders positions of one
 * ring: right, left, above, below (centred), then the diagonals, then slid along a side.
 */
function ring(r: LabelRequest, d: number, step: number): { box: Box; pref: number }[] {
  const hw = r.width / 2;
  const hh = r.height / 2;
  const at = (cx: number, cy: number, pref: number) => ({ box: centredBox(cx, cy, r.width, r.height), pref });
  const diag = d * Math.SQRT1_2;
  const out = [
    at(r.x + d + hw, r.y, 0),
    at(r.x - d - hw, r.y, 0.1),
    at(r.x, r.y - d - hh, 0.2),
    at(r.x, r.y + d + hh, 0.3),
    at(r.x + hw + diag, r.y - hh - diag, 0.5),
    at(r.x + hw + diag, r.y + hh + diag, 0.6),
    at(r.x - hw - diag, r.y - hh - diag, 0.7),
    at(r.x - hw - diag, r.y + hh + diag, 0.8),
  ];
  // Slid along the top and bottom sides (box still above or below the point) and the left and right
  // ones: half a step more per step slid, so a centred position wins a tie.
  for (let t = step; t <= hw; t += step)
    for (const sx of [1, -1]) out.push(at(r.x + sx * t, r.y - d - hh, 1 + t / step / 2), at(r.x + sx * t, r.y + d + hh, 1.1 + t / step / 2));
  for (let t = step; t <= hh; t += step)
    for (const sy of [1, -1]) out.push(at(r.x + d + hw, r.y + sy * t, 1 + t / step / 2), at(r.x - d - hw, r.y + sy * t, 1.1 + t / step / 2));
  return out;
}

/**
 * One placement per request (null when no free position was found within `maxDistance`). Labels of
 * higher `priority` are placed first and get the nearest free positions; among equal priorities the
 * most constrained goes next (the fewest positions on the first ring that cost nothing extra), so
 * that a label with room to spare does not take the one spot of a crowded neighbour; ties in the
 * order given. Placed boxes never intersect and stay inside `area`. Among the free positions a label takes the one of least
 * cost: its clearance from its point, plus a penalty for covering an obstacle (the markers, passed
 * in `obstacles`), for standing nearer another request's point than its own, and, for a label
 * beyond the first ring (which gets a leader), for a leader through another label or marker or a
 * box over another label's leader.
 */
export function placeLabels(requests: readonly LabelRequest[], area: { width: number; height: number }, obstacles: readonly Box[] = [], options: PlacementOptions = {}): (PlacedLabel | null)[] {
  const gap = options.gap ?? 7;
  const step = options.step ?? 6;
  const maxDistance = options.maxDistance ?? 160;
  const markerRadius = options.markerRadius ?? 5;
  const placed: PlacedLabel[] = [];
  const inside = (b: Box) => b.x0 >= 0 && b.y0 >= 0 && b.x1 <= area.width && b.y1 <= area.height;
  // Each request's other points, for the ambiguity check of every candidate position.
  const othersOf = requests.map((_, index) => requests.filter((_, j) => j !== index));

  /** The cost of `box` for request `index` at clearance d, beyond d itself; null where it is not free. */
  const penalty = (index: number, box: Box, d: number): { cost: number; leader: Segment | null } | null => {
    const r = requests[index];
    if (!inside(box) || placed.some((p) => boxesIntersect(p.box, box))) return null;
    const leadered = d > gap + step / 2;
    let cost = 0;
    cost += COVERS_MARKER * obstacles.filter((o) => boxesIntersect(o, box)).length;
    // Beside another labelled point: nearer it than its own, or (for a label with a leader) beside it.
    if (othersOf[index].some((o) => clearance(box, o) < Math.min(d, gap + step) + AMBIGUITY_MARGIN)) cost += AMBIGUOUS;
    cost += CROSSES_LEADER * placed.filter((p) => p.leader && segmentCrossesBox(p.leader, box)).length;
    const leader = leadered ? leaderLine(r, box, markerRadius) : null;
    if (leader) {
      cost += CROSSES_LABEL * placed.filter((p) => segmentCrossesBox(leader, p.box)).length;
      cost += CROSSES_LEADER * placed.filter((p) => p.leader && segmentsCross(leader, p.leader)).length;
      cost += LEADER_OVER_MARKER * obstacles.filter((o) => clearance(o, r) > 0 && segmentCrossesBox(leader, o)).length;
    }
    return { cost, leader };
  };

  const place = (index: number): PlacedLabel | null => {
    let best: PlacedLabel | null = null;
    let bestCost = Infinity;
    // Every position of ring d costs at least d: stop once the rings cannot beat the best found.
    for (let d = gap; d <= maxDistance && d < bestCost; d += step) {
      for (const { box, pref } of ring(requests[index], d, step)) {
        const p = penalty(index, box, d);
        if (!p) continue;
        const cost = d + pref + p.cost;
        if (cost < bestCost) {
          bestCost = cost;
          best = { box, leader: p.leader };
        }
      }
    }
    return best;
  };

  const freeOnFirstRing = (index: number) => ring(requests[index], gap, step).filter(({ box }) => penalty(index, box, gap)?.cost === 0).length;
  const out: (PlacedLabel | null)[] = requests.map(() => null);
  const left = requests.map((_, i) => i);
  while (left.length) {
    const top = Math.max(...left.map((i) => requests[i].priority ?? 0));
    const ready = left.filter((i) => (requests[i].priority ?? 0) === top);
    const free = ready.map(freeOnFirstRing);
    const next = ready[free.indexOf(Math.min(...free))];
    left.splice(left.indexOf(next), 1);
    out[next] = place(next);
    if (out[next]) placed.push(out[next]!);
  }
  return out;
}
