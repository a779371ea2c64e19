import { Resvg } from '@resvg/resvg-js';
import { existsSync } from 'node:fs';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { TrackerError, errorMessage } from '../errors.js';
import { FontMetrics } from './font-metrics.js';
import { FONT, type VegaLiteSpec } from './specs.js';

/** Vega-Lite → Vega → SVG, headlessly (no browser, no canvas: vega lays out text by estimate). */
export async function chartToSvg(spec: VegaLiteSpec): Promise<string> {
  installTextMetrics();
  let view: vega.View | undefined;
  try {
    const compiled = vl.compile(spec as unknown as vl.TopLevelSpec).spec;
    view = new vega.View(vega.parse(compiled), { renderer: 'none' });
    return await view.toSVG();
  } catch (err) {
    throw new TrackerError('INVALID_ARGUMENT', `cannot render chart: ${errorMessage(err)}`, { cause: err });
  } finally {
    view?.finalize();
  }
}

const FONT_DIRS = ['/usr/share/fonts/truetype/dejavu', '/usr/share/fonts/dejavu', '/usr/local/share/fonts/dejavu'];
const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSans-Oblique.ttf'];

/**
 * The DejaVu Sans files, or null. Loading two known files is faster and more repeatable than letting
 * resvg scan every system font.
 */
export function dejaVuFontFiles(): string[] | null {
  for (const dir of FONT_DIRS) {
    const files = FONT_FILES.map((f) => `${dir}/${f}`).filter((f) => existsSync(f));
    if (files.length) return files;
  }
  return null;
}

let warned = false;

/** SVG → PNG with resvg at `scale` × the SVG's size, text in DejaVu Sans. */
export function svgToPng(svg: string, scale = 2): Buffer {
  const files = dejaVuFontFiles();
  if (!files && !warned) {
    warned = true;
    process.stderr.write(`@yoto/tracker: ${FONT} not found (Debian: apt-get install fonts-dejavu-core); PNG text uses a fallback font\n`);
  }
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: scale },
    font: {
      loadSystemFonts: !files,
      fontFiles: files ?? [],
      defaultFontFamily: FONT,
      sansSerifFamily: FONT,
    },
  });
  return resvg.render().asPng();
}

let metricsInstalled = false;
let fonts: { regular: FontMetrics; bold: FontMetrics } | null | undefined;

/** DejaVu Sans's metrics (regular and bold), loaded once; null when the font files are missing. */
function dejaVuMetrics(): { regular: FontMetrics; bold: FontMetrics } | null {
  if (fonts !== undefined) return fonts;
  const files = dejaVuFontFiles();
  const regular = files?.find((f) => f.endsWith('DejaVuSans.ttf'));
  const bold = files?.find((f) => f.endsWith('DejaVuSans-Bold.ttf')) ?? regular;
  fonts = regular ? { regular: FontMetrics.load(regular), bold: FontMetrics.load(bold!) } : null;
  return fonts;
}

/**
 * Width in pixels that a chart's text takes in the rendered PNG: DejaVu Sans's advance widths, or
 * vega's own estimate (0.8 em per character) when the font is missing, as vega then lays it out.
 * For a chart that places its own text (e.g. labels beside points) and must know how wide it is.
 */
export function textWidth(text: string, fontSize: number, bold = false): number {
  const f = dejaVuMetrics();
  if (!f) return 0.8 * [...text].length * fontSize;
  return (bold ? f.bold : f.regular).width(text, fontSize);
}

/**
 * Makes vega measure text with DejaVu Sans's real advance widths (regular and bold), as vl-convert
 * does with its own fonts. Left as vega's estimate when the font files are missing.
 */
function installTextMetrics(): void {
  if (metricsInstalled) return;
  metricsInstalled = true;
  if (!dejaVuMetrics()) return;
  const tm = (vega as unknown as { textMetrics: { width: (item: TextItem, text?: unknown) => number } }).textMetrics;
  tm.width = (item, text) => {
    const s = text == null ? '' : String(text).trim();
    const size = item.fontSize != null ? Number(item.fontSize) || 0 : 11;
    const width = textWidth(s, size, item.fontWeight === 'bold' || Number(item.fontWeight) >= 600);
    return item.limit && item.limit > 0 ? Math.min(width, item.limit) : width;
  };
}

interface TextItem {
  fontSize?: number | string;
  fontWeight?: string | number;
  limit?: number;
}
