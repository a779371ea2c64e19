import fc from 'fast-check';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { boxesIntersect, placeLabels, type Box } from './label-placement.js';
import { rdChartSpec, valueDomain, type RdRow } from './rd-chart.js';

const PSNR = 'PSNR (dB, RGB)';
const MS = 'MS-SSIM (dB)';

/** The default profile's points of 2026-11-28 (README): λ = 0.018 and 0.057 printed over each other. */
function readmeRows(): RdRow[] {
  const rows: RdRow[] = [];
  const add = (series: string, kind: RdRow['kind'], bpp: number, psnr: number, ms: number, setting: number, label: string) => {
    rows.push({ series, kind, metric: PSNR, bpp, value: psnr, setting, label });
    rows.push({ series, kind, metric: MS, bpp, value: ms, setting, label });
  };
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

/** Bounding boxes of the chart's own text marks (the placed labels) as vega lays them out. */
async function renderedLabelBoxes(spec: object): Promise<{ text: string; box: Box }[]> {
  const view = new vega.View(vega.parse(vl.compile(spec as vl.TopLevelSpec).spec), { renderer: 'none' });
  await view.runAsync();
  const out: { text: string; box: Box }[] = [];
  // Item bounds are in their group's coordinates: add up the offsets of the enclosing groups.
  type Node = { marktype?: string; role?: string; items?: Node[]; x?: number; y?: number; text?: string; bounds?: { x1: number; y1: number; x2: number; y2: number } };
  const walk = (mark: Node, dx: number, dy: number): void => {
    for (const item of mark.items ?? []) {
      if (mark.marktype === 'text' && mark.role === 'mark' && item.bounds)
        out.push({ text: item.text!, box: { x0: dx + item.bounds.x1, y0: dy + item.bounds.y1, x1: dx + item.bounds.x2, y1: dy + item.bounds.y2 } });
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
          const boxes = placeLabels(
            pts.map((p) => ({ x: p.x, y: p.y, width: p.chars * 7.2 + 2, height: 11.7 })),
            { width: 360, height: 270 },
          );
          const placed = boxes.filter((b): b is Box => b !== null);
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
    expect(boxesIntersect(a!, b!)).toBe(false);
  });

  it('the rendered chart prints every baseline and control label, and no two label boxes intersect', async () => {
    const spec = rdChartSpec(readmeRows(), [PSNR, MS], 1.5, 'test');
    const labels = await renderedLabelBoxes(spec);
    // 5 baselines + 1 control, in each of the two panels.
    expect(labels.map((l) => l.text).sort()).toEqual(
      [...['λ=0.0018', 'λ=0.0057', 'λ=0.018', 'λ=0.057', 'λ=0.18', 'λ=0.018 (YOTO’s steps)'], ...['λ=0.0018', 'λ=0.0057', 'λ=0.018', 'λ=0.057', 'λ=0.18', 'λ=0.018 (YOTO’s steps)']].sort(),
    );
    for (let i = 0; i < labels.length; i++)
      for (let j = i + 1; j < labels.length; j++)
        expect(boxesIntersect(labels[i].box, labels[j].box), `'${labels[i].text}' and '${labels[j].text}' overlap`).toBe(false);
  });

  it('valueDomain covers the values on round steps', () => {
    expect(valueDomain([22.81, 26.23, 31.31])).toEqual([22, 32]);
    const [lo, hi] = valueDomain([10.2, 10.9]);
    expect(lo).toBeLessThan(10.2);
    expect(hi).toBeGreaterThan(10.9);
  });
});
