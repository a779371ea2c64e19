// The rate–distortion chart: a Vega-Lite spec built from tidy rows (pure, so testable without a report).
import { specs, textWidth } from '@yoto/tracker';
import { type Box, centredBox, placeLabels } from './label-placement.js';

/** 'control': the equal-steps control, a baseline trained for as many steps as the YOTO model. */
export type RdKind = 'yoto' | 'baseline' | 'control' | 'reference';

export interface RdRow {
  series: string;
  kind: RdKind;
  /** Panel: e.g. `PSNR (dB)`. */
  metric: string;
  bpp: number;
  value: number;
  /** λ of a learned point, quality of a reference point: the line order and the tooltip. */
  setting: number;
  /** Tooltip text, e.g. `λ=0.018` or `q=50`; the printed label of a baseline or control point. */
  label: string;
}

/** A printed label: its text and the centre of its box, in data coordinates of its panel. */
export interface LabelRow {
  kind: 'label';
  metric: string;
  text: string;
  bpp: number;
  value: number;
}

/** The leader joining a label placed off its point to the point's marker, in data coordinates. */
export interface LeaderRow {
  kind: 'leader';
  metric: string;
  bpp: number;
  value: number;
  bpp2: number;
  value2: number;
}

const YOTO_COLOR = '#1f6fb4';
const BASELINE_COLOR = '#e4572e';
const CONTROL_COLOR = '#7a2e17';
const REFERENCE_COLORS = ['#555555', '#2ca02c', '#8e44ad', '#b8860b'];

/** Plot size of each panel, in pixels: the label placement and the spec share it. */
export const PANEL = { width: 360, height: 270 };
export const LABEL_FONT_SIZE = 9;
/** Half the side of a baseline marker (size 120 ≈ an 11 px diamond), plus a pixel. */
const MARKER_HALF = 6.5;
/** A leader starts this far from its point: inside the marker, which is drawn over it. */
const LEADER_START = 4;

/**
 * A label's box: its text as the PNG draws it (DejaVu Sans), a pixel and a half either side, so a
 * leader ends just short of the glyphs rather than in blank space.
 */
export function labelSize(text: string): { width: number; height: number } {
  return { width: textWidth(text, LABEL_FONT_SIZE) + 3, height: LABEL_FONT_SIZE * 1.3 };
}

/**
 * A readable y domain for a panel: from the lowest to the highest value on a round step (about
 * five ticks), with a little headroom, so a point never sits on the frame. Fixed in the spec (not
 * left to Vega's `nice`) because the label placement must know where each point lands.
 */
export function valueDomain(values: readonly number[]): [number, number] {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  const span = hi - lo || Math.abs(hi) || 1;
  const raw = span / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  return [Math.floor((lo - 0.04 * span) / step) * step, Math.ceil((hi + 0.04 * span) / step) * step];
}

/**
 * The labels of the baseline and control points of one panel, placed so that no two boxes intersect
 * (see label-placement.ts), and the leaders of those placed off their point, as rows in data
 * coordinates. The control's label is placed first (it is the point the chart is about, and a
 * square among diamonds): it gets the nearest free position; then the most crowded baselines'. A label that finds no free place is
 * left out (its point keeps the tooltip).
 */
export function panelLabels(rows: readonly RdRow[], metric: string, maxBpp: number, domain: [number, number]): (LabelRow | LeaderRow)[] {
  const inPanel = rows.filter((r) => r.metric === metric && r.bpp <= maxBpp && r.value >= domain[0] && r.value <= domain[1]);
  const px = (bpp: number) => (bpp / maxBpp) * PANEL.width;
  const py = (v: number) => PANEL.height * (1 - (v - domain[0]) / (domain[1] - domain[0]));
  const bpp = (x: number) => (x / PANEL.width) * maxBpp;
  const value = (y: number) => domain[0] + (1 - y / PANEL.height) * (domain[1] - domain[0]);
  const labelled = inPanel.filter((r) => r.kind === 'baseline' || r.kind === 'control').sort((a, b) => a.bpp - b.bpp || a.value - b.value);
  // Every learned point is an obstacle, so a label does not cover the YOTO line's markers either.
  const obstacles: Box[] = inPanel.filter((r) => r.kind !== 'reference').map((r) => centredBox(px(r.bpp), py(r.value), 2 * MARKER_HALF, 2 * MARKER_HALF));
  const placements = placeLabels(
    labelled.map((r) => ({ x: px(r.bpp), y: py(r.value), ...labelSize(r.label), priority: r.kind === 'control' ? 1 : 0 })),
    PANEL,
    obstacles,
    { markerRadius: LEADER_START },
  );
  const out: (LabelRow | LeaderRow)[] = [];
  placements.forEach((p, i) => {
    if (!p) return;
    const { box: b, leader: l } = p;
    out.push({ kind: 'label', metric, text: labelled[i].label, bpp: bpp((b.x0 + b.x1) / 2), value: value((b.y0 + b.y1) / 2) });
    if (l) out.push({ kind: 'leader', metric, bpp: bpp(l.x0), value: value(l.y0), bpp2: bpp(l.x1), value2: value(l.y1) });
  });
  return out;
}

/**
 * One panel per quality metric, rate on x: the YOTO model as one line over its λ grid, the
 * baselines as labelled diamonds, the equal-steps control as a labelled square, each classical
 * codec as a dashed line over its qualities. The x axis stops at `maxBpp` (reference curves run far
 * beyond the learned models' rates). Scales are fixed per panel and labels placed without overlap,
 * each beside its point or joined to it by a leader.
 */
export function rdChartSpec(rows: RdRow[], metrics: string[], maxBpp: number, subtitle: string | string[]): specs.VegaLiteSpec {
  const series = [...new Set(rows.map((r) => r.series))];
  const ofKind = (kind: RdKind) => series.filter((s) => rows.some((r) => r.series === s && r.kind === kind));
  const yoto = ofKind('yoto');
  const base = ofKind('baseline');
  const control = ofKind('control');
  const refs = series.filter((s) => ![...yoto, ...base, ...control].includes(s));
  const domain = [...yoto, ...base, ...control, ...refs];
  const range = [...yoto.map(() => YOTO_COLOR), ...base.map(() => BASELINE_COLOR), ...control.map(() => CONTROL_COLOR), ...refs.map((_, i) => REFERENCE_COLORS[i % REFERENCE_COLORS.length])];
  const color = { field: 'series', type: 'nominal', title: null, scale: { domain, range }, legend: { orient: 'top', direction: 'horizontal', labelLimit: 360 } };
  const x = { field: 'bpp', type: 'quantitative', title: 'rate (bits per pixel)', scale: { domain: [0, maxBpp], nice: false } };
  const tooltip = [
    { field: 'series', type: 'nominal' },
    { field: 'label', type: 'nominal', title: 'setting' },
    { field: 'bpp', type: 'quantitative', format: '.4~f' },
    { field: 'value', type: 'quantitative', format: '.4~f' },
  ];
  const labels: (LabelRow | LeaderRow)[] = [];
  const panel = (metric: string) => {
    // The y range of what is drawn: every learned point, and reference points inside the x range.
    const values = rows.filter((r) => r.metric === metric && (r.kind !== 'reference' || r.bpp <= maxBpp)).map((r) => r.value);
    const yDomain = valueDomain(values.length ? values : [0, 1]);
    labels.push(...panelLabels(rows, metric, maxBpp, yDomain));
    const y = { field: 'value', type: 'quantitative', title: null, scale: { domain: yDomain, nice: false, zero: false } };
    const only = (kind: string) => [{ filter: `datum.metric === ${JSON.stringify(metric)} && datum.kind === '${kind}'` }];
    return {
      title: { text: metric, fontSize: 12 },
      width: PANEL.width,
      height: PANEL.height,
      layer: [
        {
          transform: only('reference'),
          mark: { type: 'line', point: { size: 16 }, strokeDash: [5, 3], strokeWidth: 1.5, clip: true },
          encoding: { x, y, color, detail: { field: 'series' }, order: { field: 'setting', type: 'quantitative' }, tooltip },
        },
        {
          transform: only('yoto'),
          mark: { type: 'line', point: { filled: true, size: 34 }, strokeWidth: 2.4, clip: true },
          encoding: { x, y, color, detail: { field: 'series' }, order: { field: 'setting', type: 'quantitative' }, tooltip },
        },
        {
          // Under the markers, so a leader seems to start at its marker's edge.
          transform: only('leader'),
          mark: { type: 'rule', color: CONTROL_COLOR, strokeWidth: 0.8, opacity: 0.8, clip: true },
          encoding: { x, y, x2: { field: 'bpp2' }, y2: { field: 'value2' } },
        },
        {
          transform: only('baseline'),
          mark: { type: 'point', shape: 'diamond', filled: true, size: 120, stroke: 'white', strokeWidth: 0.8, opacity: 1, clip: true },
          encoding: { x, y, color, tooltip },
        },
        {
          transform: only('control'),
          mark: { type: 'point', shape: 'square', filled: true, size: 110, stroke: 'white', strokeWidth: 0.8, opacity: 1, clip: true },
          encoding: { x, y, color, tooltip },
        },
        {
          transform: only('label'),
          mark: { type: 'text', align: 'center', baseline: 'middle', fontSize: LABEL_FONT_SIZE, color: CONTROL_COLOR, clip: true },
          encoding: { x, y, text: { field: 'text' } },
        },
      ],
    };
  };
  const panels = metrics.map(panel);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Rate–distortion on the evaluation images (real files)', subtitle },
    config: { ...specs.CONFIG, concat: { spacing: 36 } },
    data: { values: [...rows, ...labels] },
    columns: Math.min(2, metrics.length),
    concat: panels,
    resolve: { scale: { y: 'independent' } },
  };
}
