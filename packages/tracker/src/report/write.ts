import { join } from 'node:path';
import { TrackerError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic.js';
import type { Report } from './build.js';
import { reportHtml } from './html.js';
import { chartToSvg, svgToPng } from './render.js';

export type ReportFormat = 'svg' | 'png' | 'html';
export const REPORT_FORMATS: readonly ReportFormat[] = ['svg', 'png', 'html'];

export interface RenderOptions {
  /** Default: all three. */
  formats?: ReportFormat[];
  /** PNG pixels per SVG pixel (default 2). */
  scale?: number;
}

export interface RenderedReport {
  /** Absolute or outDir-relative paths of everything written, in writing order. */
  files: string[];
  html: string | null;
}

/**
 * Writes `<chart id>.svg` and `.png` per chart and `report.html` into `outDir`, each atomically, so
 * a reader never sees a half-written report.
 */
export async function renderReport(report: Report, outDir: string, options: RenderOptions = {}): Promise<RenderedReport> {
  const formats = options.formats ?? [...REPORT_FORMATS];
  for (const f of formats) {
    if (!REPORT_FORMATS.includes(f)) {
      throw new TrackerError('INVALID_FORMAT', `report format ${JSON.stringify(f)} is not supported; expected some of: ${REPORT_FORMATS.join(', ')}`);
    }
  }
  const scale = options.scale ?? 2;
  if (!(scale > 0 && scale <= 8)) throw new TrackerError('INVALID_ARGUMENT', `PNG scale must be in (0, 8], got ${scale}`);
  const files: string[] = [];
  if (formats.includes('svg') || formats.includes('png')) {
    for (const chart of report.charts) {
      const svg = await chartToSvg(chart.spec);
      if (formats.includes('svg')) {
        const p = join(outDir, `${chart.id}.svg`);
        writeFileAtomic(p, svg);
        files.push(p);
      }
      if (formats.includes('png')) {
        const p = join(outDir, `${chart.id}.png`);
        writeFileAtomic(p, svgToPng(svg, scale));
        files.push(p);
      }
    }
  }
  let html: string | null = null;
  if (formats.includes('html')) {
    html = join(outDir, 'report.html');
    writeFileAtomic(html, reportHtml(report));
    files.push(html);
  }
  return { files, html };
}
