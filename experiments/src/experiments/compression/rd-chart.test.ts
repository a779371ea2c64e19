import fc from 'fast-check';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { boxesIntersect, clearance, leaderLine, placeLabels, segmentCrossesBox, type Box, type PlacedLabel } from './label-placement.js';
import { labelSize, panelLabels, PANEL, rdChartSpec, valueDomain, type LabelRow, type LeaderRow, type RdRow } from './rd-chart.js';

const PSNR = 'PSNR (dB, RGB)';
const MS = 'MS-SSIM (dB)';

/** Adds one point's row to each panel. */
function rowAdder(rows: RdRow[]) {
  return (series: string, kind: RdRow['kind'], bpp: number, psnr: number, ms: number, setting: number, label: string) => {
    rows.push({ series, kind, metric: PSNR, bpp, value: psnr, setting, label });
    rows.push({ series, kind, metric: MS, bpp, value: ms, setting, label });
  };
}

/** The default profile's points of 2026-11-28 (README): λ = 0.018 and 0.057 printed over each other. */
function readmeRows(): RdRow[] {
  const rows: RdRow[] = [];
  const add = rowAdder(rows);
  const yoto: [number, number, number][] = [
    [0.0018, 0.249, 24.04],
    [0.0057, 0.427, 25.34],
    [0.018, 0.647, 25.91],
    [0.057, 0.896, 26.15],
    [0.18, 1.161, 26.23],
  ];
  for (const [l, b, p] of yoto) add('YOTO', 'yoto', b, p, p - 12, l, `λ=${l}`);
  const base: [number, number, number][] = [
    [0.0018, 0.102, 22.81],
    [0.0057, 0.252, 23.11],
    [0.018, 0.43, 23.18],
    [0.057, 0.53, 23.04],
    [0.18, 0.575, 23.04],
  ];
  for (const [l, b, p] of base) add('baselines', 'baseline', b, p, p - 12.2, l, `λ=${l}`);
  // The equal-steps control right on top of a baseline: the hardest case.
  add('control', 'control', 0.44, 23.2, 11.0, 0.018, 'λ=0.018 (YOTO’s steps)');
  for (const [q, b, p] of [
    [20, 0.302, 28.14],
    [50, 0.654, 31.31],
    [90, 1.915, 37.28],
  ])
    add('JPEG', 'reference', b, p, p - 14, q, `q=${q}`);
  return rows;
}

/**
 * The default profile's points of 2026-12-07 (/work/runs/comp6, 32,000 steps): the control's label
 * landed 150 px from its square, beside the λ=0.057 diamond, and the baseline's λ=0.018 between the
 * two λ=0.018 points.
 */
function comp6Rows(): RdRow[] {
  const rows: RdRow[] = [];
  const add = rowAdder(rows);
  const yoto: [number, number, number, number][] = [
    [0.0018, 0.2365, 27.627, 10.901],
    [0.0032, 0.3277, 28.854, 12.22],
    [0.0057, 0.4329, 29.936, 13.571],
    [0.0101, 0.5473, 30.793, 14.83],
    [0.018, 0.6655, 31.414, 15.911],
    [0.032, 0.7895, 31.852, 16.816],
    [0.057, 0.9192, 32.142, 17.532],
    [0.1012, 1.0498, 32.323, 18.06],
    [0.18, 1.1862, 32.44, 18.456],
  ];
  for (const [l, b, p, m] of yoto) add('YOTO', 'yoto', b, p, m, l, `λ=${l}`);
  const base: [number, number, number, number][] = [
    [0.0018, 0.1869, 26.457, 10.55],
    [0.0057, 0.3707, 28.059, 12.514],
    [0.018, 0.6637, 29.406, 14.39],
    [0.057, 1.0211, 30.114, 15.667],
    [0.18, 1.3808, 30.502, 16.703],
  ];
  for (const [l, b, p, m] of base) add('baselines', 'baseline', b, p, m, l, `λ=${l}`);
  add('control', 'control', 0.6296, 31.487, 15.952, 0.018, 'λ=0.018, equal steps');
  for (const [q, b, p, m] of [
    [5, 0.0798, 23.097, 6.608],
    [20, 0.3025, 28.145, 11.933],
    [50, 0.654, 31.31, 15.921],
    [90, 1.9147, 37.277, 22.12],
  ])
    add('JPEG', 'reference', b, p, m, q, `q=${q}`);
  return rows;
}

/**
 * Boxes of the chart's own text marks (the placed labels) where vega lays them out, as wide as the
 * PNG draws them (vega without the tracker's font metrics would guess 0.8 em a character).
 */
async function renderedLabelBoxes(spec: object): Promise<{ text: string; box: Box }[]> {
  const view = new vega.View(vega.parse(vl.compile(spec as vl.TopLevelSpec).spec), { renderer: 'none' });
  await view.runAsync();
  const out: { text: string; box: Box }[] = [];
  // Item bounds are in their group's coordinates: add up the offsets of the enclosing groups.
  type Node = { marktype?: string; role?: string; items?: Node[]; x?: number; y?: number; text?: string; bounds?: { x1: number; y1: number; x2: number; y2: number } };
  const walk = (mark: Node, dx: number, dy: number): void => {
    for (const item of mark.items ?? []) {
      if (mark.marktype === 'text' && mark.role === 'mark') {
        const { width, height } = labelSize(item.text!);
        // Centred on its anchor (align center, baseline middle); 0.1 px spare for rounding.
        out.push({ text: item.text!, box: { x0: dx + item.x! - width / 2 + 0.1, y0: dy + item.y! - height / 2 + 0.1, x1: dx + item.x! + width / 2 - 0.1, y1: dy + item.y! + height / 2 - 0.1 } });
      }
      if (mark.marktype === 'group') for (const child of item.items ?? []) walk(child, dx + (item.x ?? 0), dy + (item.y ?? 0));
    }
  };
  walk((view.scenegraph() as unknown as { root: Node }).root, 0, 0);
  view.finalize();
  return out;
}

describe('rate–distortion chart labels', () => {
  it('placeLabels never returns two intersecting boxes, however crowded the points', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ x: fc.double({ min: 0, max: 360, noNaN: true }), y: fc.double({ min: 0, max: 270, noNaN: true }), chars: fc.integer({ min: 3, max: 24 }) }), { minLength: 1, maxLength: 14 }),
        (pts) => {
          const placements = placeLabels(
            pts.map((p) => ({ x: p.x, y: p.y, width: p.chars * 7.2 + 2, height: 11.7 })),
            { width: 360, height: 270 },
          );
          const placed = placements.filter((p): p is PlacedLabel => p !== null).map((p) => p.box);
          for (let i = 0; i < placed.length; i++) {
            const b = placed[i];
            expect(b.x0 >= 0 && b.y0 >= 0 && b.x1 <= 360 && b.y1 <= 270).toBe(true);
            for (let j = i + 1; j < placed.length; j++) expect(boxesIntersect(b, placed[j])).toBe(false);
          }
          // A handful of labels on a 360×270 plot always finds room.
          if (pts.length <= 6) expect(placed.length).toBe(pts.length);
        },
      ),
      { numRuns: 200, seed: 14 },
    );
  });

  it('two points at the same spot get labels on different sides', () => {
    const [a, b] = placeLabels(
      [
        { x: 100, y: 100, width: 40, height: 12 },
        { x: 101, y: 100, width: 40, height: 12 },
      ],
      { width: 360, height: 270 },
    );
    expect(a).not.toBeNull();
    expect(b).not.toBeNull();
    expect(boxesIntersect(a!.box, b!.box)).toBe(false);
  });

  it('a label beside its point gets no leader; one pushed beyond the first ring gets one from the marker to its box', () => {
    const marker = (x: number, y: number): Box => ({ x0: x - 6, y0: y - 6, x1: x + 6, y1: y + 6 });
    // Markers all round (100, 100), 14 px off: no first-ring position is free of them.
    const around = [-14, 0, 14].flatMap((dx) => [-14, 0, 14].filter((dy) => dx || dy).map((dy) => marker(100 + dx, 100 + dy)));
    const [alone] = placeLabels([{ x: 200, y: 200, width: 40, height: 12 }], { width: 360, height: 270 }, [marker(200, 200)], { gap: 7, markerRadius: 5 });
    expect(alone!.leader).toBeNull();
    expect(clearance(alone!.box, { x: 200, y: 200 })).toBeCloseTo(7, 9);

    const [boxed] = placeLabels([{ x: 100, y: 100, width: 40, height: 12 }], { width: 360, height: 270 }, [marker(100, 100), ...around], { gap: 7, markerRadius: 5 });
    const { box, leader } = boxed!;
    expect(around.some((m) => boxesIntersect(m, box))).toBe(false);
    expect(clearance(box, { x: 100, y: 100 })).toBeGreaterThan(7);
    expect(leader).not.toBeNull();
    // One end on the marker's edge (5 px from the point), the other on the box's edge.
    expect(Math.hypot(leader!.x0 - 100, leader!.y0 - 100)).toBeCloseTo(5, 9);
    const onEdge = (v: number, lo: number, hi: number) => Math.abs(v - lo) < 1e-9 || Math.abs(v - hi) < 1e-9;
    expect(leader!.x1 >= box.x0 - 1e-9 && leader!.x1 <= box.x1 + 1e-9 && leader!.y1 >= box.y0 - 1e-9 && leader!.y1 <= box.y1 + 1e-9).toBe(true);
    expect(onEdge(leader!.x1, box.x0, box.x1) || onEdge(leader!.y1, box.y0, box.y1)).toBe(true);
    // And it reaches the box's nearest point: its length is the clearance, less the marker's 5 px.
    expect(Math.hypot(leader!.x1 - leader!.x0, leader!.y1 - leader!.y0)).toBeCloseTo(clearance(box, { x: 100, y: 100 }) - 5, 9);
  });

  it('a leader goes round another label when a free position allows it', () => {
    const marker = (x: number, y: number): Box => ({ x0: x - 6, y0: y - 6, x1: x + 6, y1: y + 6 });
    // B at (100, 100) is walled in on three sides (left, above, below); the corridor to its right
    // holds A's marker at (112, 100) and A's label, placed first (priority), just right of it.
    const walls: Box[] = [
      { x0: 40, y0: 60, x1: 94, y1: 140 },
      { x0: 94, y0: 60, x1: 160, y1: 94 },
      { x0: 94, y0: 106, x1: 160, y1: 140 },
    ];
    const requests = [
      { x: 112, y: 100, width: 20, height: 12, priority: 1 },
      { x: 100, y: 100, width: 20, height: 12 },
    ];
    const [a, b] = placeLabels(requests, { width: 360, height: 270 }, [marker(112, 100), marker(100, 100), ...walls], { gap: 7, step: 6, markerRadius: 5 });
    expect(a!.box).toEqual({ x0: 119, y0: 94, x1: 139, y1: 106 });
    // Further down the corridor B's label would be as near (43 px) and on its preferred side, but
    // its leader would run through A's label: B goes above the wall instead.
    const corridor: Box = { x0: 143, y0: 94, x1: 163, y1: 106 };
    expect(segmentCrossesBox(leaderLine({ x: 100, y: 100 }, corridor, 5), a!.box)).toBe(true);
    expect(clearance(b!.box, { x: 100, y: 100 })).toBeCloseTo(clearance(corridor, { x: 100, y: 100 }), 9);
    expect(b!.leader).not.toBeNull();
    expect(segmentCrossesBox(b!.leader!, a!.box)).toBe(false);
  });

  it("today's chart: the control's label sits beside its square, and every label is nearer its own point than any other labelled point or has a leader", () => {
    const rows = comp6Rows();
    for (const metric of [PSNR, MS]) {
      const values = rows.filter((r) => r.metric === metric && (r.kind !== 'reference' || r.bpp <= 1.8)).map((r) => r.value);
      const domain = valueDomain(values);
      const out = panelLabels(rows, metric, 1.8, domain);
      const px = (bpp: number) => (bpp / 1.8) * PANEL.width;
      const py = (v: number) => PANEL.height * (1 - (v - domain[0]) / (domain[1] - domain[0]));
      const labels = out.filter((r): r is LabelRow => r.kind === 'label');
      const leaders = out.filter((r): r is LeaderRow => r.kind === 'leader');
      const points = rows.filter((r) => r.metric === metric && (r.kind === 'baseline' || r.kind === 'control'));
      expect(labels.map((l) => l.text).sort()).toEqual(points.map((p) => p.label).sort());
      for (const l of labels) {
        const own = points.filter((p) => p.label === l.text);
        const { width, height } = labelSize(l.text);
        const box: Box = { x0: px(l.bpp) - width / 2, y0: py(l.value) - height / 2, x1: px(l.bpp) + width / 2, y1: py(l.value) + height / 2 };
        const dist = (p: RdRow) => clearance(box, { x: px(p.bpp), y: py(p.value) });
        const ownDist = Math.min(...own.map(dist));
        const otherDist = Math.min(...points.filter((p) => !own.includes(p)).map(dist));
        const hasLeader = leaders.some((d) => own.some((p) => Math.abs(px(d.bpp) - px(p.bpp)) < 6 && Math.abs(py(d.value) - py(p.value)) < 6));
        expect(hasLeader || ownDist < otherDist, `${metric}: '${l.text}' is ${ownDist.toFixed(1)} px from its point, ${otherDist.toFixed(1)} px from another`).toBe(true);
        if (l.text.includes('equal steps')) {
          expect(ownDist, `${metric}: the control's label`).toBeLessThan(8);
          expect(hasLeader).toBe(false);
        }
      }
    }
  });

  it('the rendered chart prints every baseline and control label, and no two label boxes intersect', async () => {
    const six = (control: string) => ['λ=0.0018', 'λ=0.0057', 'λ=0.018', 'λ=0.057', 'λ=0.18', control];
    for (const [rows, maxBpp, control] of [
      [readmeRows(), 1.5, 'λ=0.018 (YOTO’s steps)'],
      [comp6Rows(), 1.8, 'λ=0.018, equal steps'],
    ] as const) {
      const labels = await renderedLabelBoxes(rdChartSpec(rows, [PSNR, MS], maxBpp, 'test'));
      // 5 baselines + 1 control, in each of the two panels.
      expect(labels.map((l) => l.text).sort()).toEqual([...six(control), ...six(control)].sort());
      for (let i = 0; i < labels.length; i++)
        for (let j = i + 1; j < labels.length; j++)
          expect(boxesIntersect(labels[i].box, labels[j].box), `'${labels[i].text}' and '${labels[j].text}' overlap`).toBe(false);
    }
  });

  it('valueDomain covers the values on round steps', () => {
    expect(valueDomain([22.81, 26.23, 31.31])).toEqual([22, 32]);
    const [lo, hi] = valueDomain([10.2, 10.9]);
    expect(lo).toBeLessThan(10.2);
    expect(hi).toBeGreaterThan(10.9);
  });
});
