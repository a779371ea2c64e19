// Collision-free placement of point labels on a chart, in pixels (pure, so it is testable without
// rendering). Vega-Lite places a text mark at a fixed offset from its point, so two points a few
// pixels apart print their labels over each other (λ = 0.018 and 0.057 did); here each label takes
// the first candidate position around its point that is free.

export interface Box {
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
}

export function boxesIntersect(a: Box, b: Box): boolean {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

/** The box of the given size centred on (cx, cy). */
export function centredBox(cx: number, cy: number, width: number, height: number): Box {
  return { x0: cx - width / 2, y0: cy - height / 2, x1: cx + width / 2, y1: cy + height / 2 };
}

/**
 * One box per request (null when no free place was found within `maxDistance`), never intersecting
 * another placed box, preferring positions near the point: to the right, left, above, below, then
 * the diagonals, on rings of growing distance. `obstacles` (the markers) are avoided too when
 * possible; a label may cover a marker only when no position avoids both. Labels stay inside `area`.
 */
export function placeLabels(requests: readonly LabelRequest[], area: { width: number; height: number }, obstacles: readonly Box[] = [], options: { gap?: number; step?: number; maxDistance?: number } = {}): (Box | null)[] {
  const gap = options.gap ?? 7;
  const step = options.step ?? 6;
  const maxDistance = options.maxDistance ?? 160;
  const placed: Box[] = [];
  const inside = (b: Box) => b.x0 >= 0 && b.y0 >= 0 && b.x1 <= area.width && b.y1 <= area.height;
  const candidates = (r: LabelRequest): Box[] => {
    const out: Box[] = [];
    const hw = r.width / 2;
    const hh = r.height / 2;
    for (let d = gap; d <= maxDistance; d += step) {
      out.push(
        centredBox(r.x + d + hw, r.y, r.width, r.height), // right
        centredBox(r.x - d - hw, r.y, r.width, r.height), // left
        centredBox(r.x, r.y - d - hh, r.width, r.height), // above
        centredBox(r.x, r.y + d + hh, r.width, r.height), // below
        centredBox(r.x + d + hw, r.y - d - hh, r.width, r.height),
        centredBox(r.x + d + hw, r.y + d + hh, r.width, r.height),
        centredBox(r.x - d - hw, r.y - d - hh, r.width, r.height),
        centredBox(r.x - d - hw, r.y + d + hh, r.width, r.height),
      );
    }
    return out;
  };
  return requests.map((r) => {
    const all = candidates(r).filter((b) => inside(b) && !placed.some((p) => boxesIntersect(p, b)));
    const box = all.find((b) => !obstacles.some((o) => boxesIntersect(o, b))) ?? all[0] ?? null;
    if (box) placed.push(box);
    return box;
  });
}
