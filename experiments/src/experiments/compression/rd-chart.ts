// The rate–distortion chart: a Vega-Lite spec built from tidy rows (pure, so testable without a report).
import { specs } from '@yoto/tracker';

export type RdKind = 'yoto' | 'baseline' | 'reference';

export interface RdRow {
  series: string;
  kind: RdKind;
  /** Panel: e.g. `PSNR (dB)`. */
  metric: string;
  bpp: number;
  value: number;
  /** λ of a learned point, quality of a reference point: the line order and the tooltip. */
  setting: number;
  /** Tooltip text, e.g. `λ=0.018` or `q=50`. */
  label: string;
}

const YOTO_COLOR = '#1f6fb4';
const BASELINE_COLOR = '#e4572e';
const REFERENCE_COLORS = ['#555555', '#2ca02c', '#8e44ad', '#b8860b'];

/**
 * One panel per quality metric, rate on x: the YOTO model as one line over its λ grid, the
 * baselines as labelled diamonds, each classical codec as a dashed line over its qualities. The x
 * axis stops at `maxBpp` (reference curves run far beyond the learned models' rates).
 */
export function rdChartSpec(rows: RdRow[], metrics: string[], maxBpp: number, subtitle: string): specs.VegaLiteSpec {
  const series = [...new Set(rows.map((r) => r.series))];
  const yoto = series.filter((s) => rows.some((r) => r.series === s && r.kind === 'yoto'));
  const base = series.filter((s) => rows.some((r) => r.series === s && r.kind === 'baseline'));
  const refs = series.filter((s) => !yoto.includes(s) && !base.includes(s));
  const domain = [...yoto, ...base, ...refs];
  const range = [...yoto.map(() => YOTO_COLOR), ...base.map(() => BASELINE_COLOR), ...refs.map((_, i) => REFERENCE_COLORS[i % REFERENCE_COLORS.length])];
  const color = { field: 'series', type: 'nominal', title: null, scale: { domain, range }, legend: { orient: 'top', direction: 'horizontal' } };
  const x = { field: 'bpp', type: 'quantitative', title: 'rate (bits per pixel)', scale: { domain: [0, maxBpp], nice: false } };
  const y = { field: 'value', type: 'quantitative', title: null, scale: { zero: false, nice: true } };
  const tooltip = [
    { field: 'series', type: 'nominal' },
    { field: 'label', type: 'nominal', title: 'setting' },
    { field: 'bpp', type: 'quantitative', format: '.4~f' },
    { field: 'value', type: 'quantitative', format: '.4~f' },
  ];
  const only = (kind: RdKind) => [{ filter: `datum.kind === '${kind}'` }];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Rate–distortion on the evaluation images (real files)', subtitle },
    config: specs.CONFIG,
    data: { values: rows },
    facet: { field: 'metric', type: 'nominal', title: null, sort: metrics },
    columns: Math.min(2, metrics.length),
    spec: {
      width: 360,
      height: 270,
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
          transform: only('baseline'),
          mark: { type: 'point', shape: 'diamond', filled: true, size: 120, stroke: 'white', strokeWidth: 0.8, opacity: 1, clip: true },
          encoding: { x, y, color, tooltip },
        },
        {
          transform: only('baseline'),
          mark: { type: 'text', align: 'left', dx: 7, dy: 9, fontSize: 9, color: '#7a2e17', clip: true },
          encoding: { x, y, text: { field: 'label' } },
        },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  };
}
