import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { populateDemo } from '../__fixtures__/demo.js';
import { openTracker } from '../store.js';
import { buildReport } from './build.js';
import { FontMetrics } from './font-metrics.js';
import { chartToSvg, dejaVuFontFiles, svgToPng, textWidth } from './render.js';
import { renderReport } from './write.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'yoto-render-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fonts = dejaVuFontFiles();

function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('headless rendering', () => {
  it('renders a chart to SVG in DejaVu Sans and to a PNG of twice its size', async () => {
    const spec = {
      width: 200,
      height: 100,
      data: { values: [{ x: 0.1, y: 1 }, { x: 1, y: 2 }, { x: 10, y: 3 }] },
      mark: { type: 'line', point: true },
      encoding: { x: { field: 'x', type: 'quantitative', scale: { type: 'log' } }, y: { field: 'y', type: 'quantitative' } },
      config: { font: 'DejaVu Sans', background: 'white' },
    };
    const svg = await chartToSvg(spec);
    expect(svg).toMatch(/^<svg[^>]* width="(\d+)" height="(\d+)"/);
    expect(svg).toContain('font-family="DejaVu Sans"');
    expect(svg).toMatch(/class="mark-line role-mark[^"]*"[^>]*><path /);
    expect(svg.match(/class="mark-symbol role-mark[^]*?<\/g>/)![0].match(/<path /g)).toHaveLength(3);
    // Log axis: decade labels 0.1, 1 and 10 all present.
    for (const label of ['0.1', '1', '10']) expect(svg).toContain(`>${label}</text>`);
    const [, w, h] = svg.match(/^<svg[^>]* width="(\d+)" height="(\d+)"/)!.map(Number);
    expect(pngSize(svgToPng(svg, 2))).toEqual({ width: 2 * w, height: 2 * h });
    await expect(chartToSvg({ mark: 'nonsense' })).rejects.toThrow(/^cannot render chart: /);
  });

  it.skipIf(!fonts)('measures text with the real DejaVu Sans advance widths', () => {
    const f = FontMetrics.load(fonts!.find((p) => p.endsWith('DejaVuSans.ttf'))!);
    // DejaVu Sans: 2048 units per em, digits 1303 units wide (tabular), space 651.
    for (const d of '0123456789') expect(f.width(d, 2048)).toBe(1303);
    expect(f.width(' ', 2048)).toBe(651);
    expect(f.width('i', 12)).toBeLessThan(f.width('m', 12));
    expect(f.width('λβ', 11)).toBeCloseTo(f.width('λ', 11) + f.width('β', 11), 12);
    expect(f.width('reconstruction', 11)).toBeLessThan(0.8 * 14 * 11); // vega's blind estimate
  });

  it.skipIf(!fonts)('textWidth gives the width a chart’s text takes in the PNG, regular or bold', () => {
    const f = FontMetrics.load(fonts!.find((p) => p.endsWith('DejaVuSans.ttf'))!);
    expect(textWidth('λ=0.018, equal steps', 9)).toBe(f.width('λ=0.018, equal steps', 9));
    expect(textWidth('0', 2048)).toBe(1303);
    expect(textWidth('0', 2048, true)).toBeGreaterThan(1303); // DejaVu Sans Bold's digits are wider
  });

  it.skipIf(fonts !== null)('without DejaVu Sans, textWidth is vega’s estimate, as vega then lays the text out (skipped where fonts-dejavu-core is installed)', () => {
    expect(textWidth('λ=0.018', 10)).toBe(0.8 * 7 * 10);
  });

  it('writes every chart as SVG and PNG plus one HTML page, atomically', async () => {
    const t = openTracker(join(dir, 'db.sqlite'));
    populateDemo(t, { steps: 30 });
    const report = buildReport(t, 'vae-demo', { lambdaTitle: 'β' });
    t.close();
    const out = join(dir, 'report');
    const res = await renderReport(report, out);
    const expected = report.charts.flatMap((c) => [`${c.id}.png`, `${c.id}.svg`]).concat('report.html').sort();
    expect(readdirSync(out).sort()).toEqual(expected);
    expect(res.files).toHaveLength(expected.length);
    expect(res.html).toBe(join(out, 'report.html'));
    const { width } = pngSize(readFileSync(join(out, 'tradeoff-1.png')));
    expect(width).toBeGreaterThan(600);
    await expect(renderReport(report, out, { formats: ['pdf' as never] })).rejects.toThrow(/report format "pdf" is not supported; expected some of: svg, png, html/);
  });
});
