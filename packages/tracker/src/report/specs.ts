/**
 * Vega-Lite spec builders. Pure functions of tidy rows, so they are testable without a database
 * and reusable by every task: which metrics sit on which axis is always a parameter.
 */

export type VegaLiteSpec = Record<string, unknown>;
export type ScaleType = 'linear' | 'log';

export const FONT = 'DejaVu Sans';
export const YOTO_SERIES = 'YOTO';
export const BASELINE_SERIES = 'baselines';
const YOTO_COLOR = '#1f6fb4';
const BASELINE_COLOR = '#e4572e';
const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Shared look: DejaVu Sans everywhere (the PNG renderer has exactly that font), white background. */
export const CONFIG = {
  font: FONT,
  background: 'white',
  padding: 8,
  view: { stroke: '#cccccc' },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#e8e8e8', labelOverlap: 'greedy', labelSeparation: 4 },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' },
  header: { labelFontSize: 12, titleFontSize: 12 },
  title: { fontSize: 15, subtitleFontSize: 11, anchor: 'start', subtitleColor: '#555555' },
};

/** A YOTO model's or a baseline's value at one coefficient vector. */
export interface SeriesPoint {
  series: string;
  run: string;
  kind: 'yoto' | 'baseline';
  lambda: number;
}

function seriesColor(series: string[]) {
  const domain = [...new Set(series)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const yotos = domain.filter((s) => s.startsWith(YOTO_SERIES));
  const blues = ['#1f6fb4', '#17becf', '#6a51a3', '#2ca02c'];
  const range = domain.map((s) => (s === BASELINE_SERIES ? BASELINE_COLOR : yotos.length === 1 ? YOTO_COLOR : blues[yotos.indexOf(s) % blues.length]));
  return { field: 'series', type: 'nominal', title: null, scale: { domain, range }, legend: { orient: 'top', direction: 'horizontal' } };
}

/** Panels per row: no more than three, and no half-empty last row for four panels. */
function facetColumns(n: number): number {
  return n <= 3 ? Math.max(1, n) : n === 4 ? 2 : 3;
}

function rank(s: string): number {
  return s === BASELINE_SERIES ? 1 : 0;
}

function fmt(title: string, field: string, format = '.4~g') {
  return { field, title, type: 'quantitative', format };
}

function header(title: string, subtitle?: string) {
  return subtitle ? { text: title, subtitle } : { text: title };
}

/** The encodings a YOTO-against-baselines panel's layers share. */
export interface PanelEncoding {
  x: object;
  y: object;
  color: object;
  tooltip: object[];
}

/**
 * YOTO as lines (rows of kind 'yoto'): one line per value of `detail` (a model, or one line of a
 * model), its points joined in the order of the quantitative field `order`.
 */
export function yotoLineLayer({ x, y, color, tooltip }: PanelEncoding, line: { detail: string; order: string; pointSize: number }): VegaLiteSpec {
  return {
    transform: [{ filter: "datum.kind === 'yoto'" }],
    mark: { type: 'line', point: { filled: true, size: line.pointSize }, strokeWidth: 2 },
    encoding: { x, y, color, detail: { field: line.detail }, order: { field: line.order, type: 'quantitative' }, tooltip },
  };
}

/** Baselines (rows of kind 'baseline', one model per point) as filled diamonds; `look` sets the mark's size and outline. */
export function baselineDiamondLayer({ x, y, color, tooltip }: PanelEncoding, look: { size: number; stroke?: string; strokeWidth?: number }): VegaLiteSpec {
  return {
    transform: [{ filter: "datum.kind === 'baseline'" }],
    mark: { type: 'point', shape: 'diamond', filled: true, ...look },
    encoding: { x, y, color, tooltip },
  };
}

export interface TradeoffPoint extends SeriesPoint {
  x: number;
  y: number;
}

export interface TradeoffAxesSpec {
  xTitle: string;
  yTitle: string;
  xScale?: ScaleType;
  yScale?: ScaleType;
  lambdaTitle: string;
}

/**
 * (1) The trade-off plane: each YOTO model a line through its grid points in λ order, each baseline
 * a marked point labelled with its λ.
 */
export function tradeoffSpec(points: TradeoffPoint[], axes: TradeoffAxesSpec, title: string): VegaLiteSpec {
  const tooltip = [
    { field: 'run', type: 'nominal', title: 'run' },
    fmt(axes.lambdaTitle, 'lambda'),
    fmt(axes.xTitle, 'x'),
    fmt(axes.yTitle, 'y'),
  ];
  const x = { field: 'x', type: 'quantitative', title: axes.xTitle, scale: { type: axes.xScale ?? 'linear', zero: false, nice: true } };
  const y = { field: 'y', type: 'quantitative', title: axes.yTitle, scale: { type: axes.yScale ?? 'linear', zero: false, nice: true } };
  const color = seriesColor(points.map((p) => p.series));
  return {
    $schema: SCHEMA,
    title: header(title, `YOTO: one model evaluated over the λ grid (line, in ${axes.lambdaTitle} order); baselines: one model per ${axes.lambdaTitle}`),
    config: CONFIG,
    width: 420,
    height: 300,
    data: { values: points },
    layer: [
      yotoLineLayer({ x, y, color, tooltip }, { detail: 'run', order: 'lambda', pointSize: 40 }),
      baselineDiamondLayer({ x, y, color, tooltip }, { size: 110, stroke: 'white', strokeWidth: 0.8 }),
      {
        transform: [{ filter: "datum.kind === 'baseline'" }, { calculate: `'${axes.lambdaTitle}=' + format(datum.lambda, '.3~g')`, as: 'label' }],
        mark: { type: 'text', align: 'left', dx: 7, dy: -6, fontSize: 9, color: '#7a2e17' },
        encoding: { x, y, text: { field: 'label' } },
      },
    ],
  };
}

export interface MetricPoint extends SeriesPoint {
  metric: string;
  value: number;
}

/** (2) Every metric against λ on a log axis, a panel per metric with its own y scale. */
export function metricVsLambdaSpec(points: MetricPoint[], lambdaTitle: string, metrics: string[]): VegaLiteSpec {
  const x = { field: 'lambda', type: 'quantitative', title: `${lambdaTitle} (log scale)`, scale: { type: 'log', nice: false, padding: 12 } };
  const y = { field: 'value', type: 'quantitative', title: null, scale: { zero: false, nice: true } };
  const color = seriesColor(points.map((p) => p.series));
  const tooltip = [{ field: 'run', type: 'nominal' }, { field: 'metric', type: 'nominal' }, fmt(lambdaTitle, 'lambda'), fmt('value', 'value')];
  return {
    $schema: SCHEMA,
    title: header(`Metrics against ${lambdaTitle}`, 'YOTO: one model over the grid (lines); baselines: one model per point (diamonds)'),
    config: CONFIG,
    data: { values: points },
    facet: { field: 'metric', type: 'nominal', title: null, sort: metrics },
    columns: facetColumns(metrics.length),
    spec: {
      width: 260,
      height: 190,
      layer: [
        yotoLineLayer({ x, y, color, tooltip }, { detail: 'run', order: 'lambda', pointSize: 30 }),
        baselineDiamondLayer({ x, y, color, tooltip }, { size: 90 }),
      ],
    },
    resolve: { scale: { y: 'independent' } },
  };
}

export interface GapPoint {
  metric: string;
  lambda: number;
  baselineRun: string;
  yotoRun: string;
  baseline: number;
  yoto: number;
  /** (yoto − baseline) / |baseline| */
  gap: number;
}

/** A band of acceptable gaps drawn on one metric's panel, e.g. ±3% for the β-weighted loss. */
export interface GapTarget {
  /** The metric as it appears in the points (its display title). */
  metric: string;
  /** Half-width of the band, as a fraction (0.03 = ±3%). */
  value: number;
}

/**
 * (3) Per grid point, how far the YOTO model is from the baseline trained for exactly that λ: one
 * panel per metric, each with its own y scale, since relative gaps differ by orders of magnitude
 * between metrics (a KL near zero at large β turns small absolute gaps into hundreds of percent).
 */
export function gapSpec(points: GapPoint[], lambdaTitle: string, metrics?: string[], target?: GapTarget): VegaLiteSpec {
  const present = [...new Set(points.map((p) => p.metric))];
  const order = metrics ? [...metrics.filter((m) => present.includes(m)), ...present.filter((m) => !metrics.includes(m))] : present.sort();
  const lambdas = points.map((p) => p.lambda);
  const x = {
    field: 'lambda',
    type: 'quantitative',
    title: `${lambdaTitle} (log scale)`,
    // The same λ range on every panel, so columns line up by eye.
    scale: { type: 'log', nice: false, padding: 12, domain: [Math.min(...lambdas), Math.max(...lambdas)] },
  };
  const pct = (v: number) => `${+(100 * v).toPrecision(3)}%`;
  const panel = (metric: string): VegaLiteSpec => {
    const band = target && target.metric === metric ? target.value : null;
    const layers: VegaLiteSpec[] = [];
    if (band !== null) {
      layers.push({
        data: { values: [{ lo: -band, hi: band }] },
        mark: { type: 'rect', color: '#2ca02c', opacity: 0.14 },
        encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } },
      });
    }
    layers.push(
      { mark: { type: 'rule', color: '#888888', strokeDash: [4, 3] }, encoding: { y: { datum: 0 } } },
      {
        transform: [{ filter: { field: 'metric', equal: metric } }],
        mark: { type: 'line', point: { filled: true, size: 45 }, strokeWidth: 2, color: YOTO_COLOR },
        encoding: {
          x,
          y: { field: 'gap', type: 'quantitative', title: 'relative gap', axis: { format: '.1~%' }, scale: { zero: true, nice: true } },
          detail: { field: 'yotoRun' },
          order: { field: 'lambda', type: 'quantitative' },
          tooltip: [
            { field: 'metric', type: 'nominal' },
            fmt(lambdaTitle, 'lambda'),
            { field: 'baselineRun', type: 'nominal', title: 'baseline run' },
            { field: 'yotoRun', type: 'nominal', title: 'YOTO run' },
            fmt('baseline', 'baseline'),
            fmt('YOTO', 'yoto'),
            { field: 'gap', type: 'quantitative', title: 'gap', format: '+.2~%' },
          ],
        },
      },
    );
    return {
      // A blank subtitle on the other panels keeps the plot areas of a row level.
      title: { text: metric, fontSize: 12, ...(target ? { subtitle: band === null ? ' ' : `shaded: the ±${pct(band)} target band`, subtitleFontSize: 10 } : {}) },
      width: 260,
      height: 170,
      layer: layers,
    };
  };
  return {
    $schema: SCHEMA,
    title: header(
      'Relative gap: (YOTO − baseline) / |baseline|',
      `Positive: the YOTO model's value is higher than the baseline's at the same ${lambdaTitle}; each panel has its own scale`,
    ),
    config: { ...CONFIG, concat: { spacing: 28 } },
    data: { values: points },
    columns: facetColumns(order.length),
    concat: order.map(panel),
  };
}

export interface CurvePoint {
  run: string;
  kind: 'yoto' | 'baseline';
  key: string;
  step: number;
  value: number;
}

/**
 * (4) Learning curves (already downsampled in SQL), a panel per metric, a line per run. On a log
 * axis when every value is positive: the first steps' losses are 10–100× the rest of a run's, and on
 * a linear axis they flatten everything after them into the bottom row of pixels.
 */
export function learningCurvesSpec(points: CurvePoint[], keys: string[], runs: string[]): VegaLiteSpec {
  const log = points.length > 0 && points.every((p) => p.value > 0);
  return {
    $schema: SCHEMA,
    title: header('Learning curves', `Training metrics per run (bucket means${log ? ', log scale' : ''}); thick lines: YOTO`),
    config: CONFIG,
    data: { values: points },
    facet: { field: 'key', type: 'nominal', title: null, sort: keys },
    columns: facetColumns(keys.length),
    spec: {
      width: 260,
      height: 180,
      mark: { type: 'line', interpolate: 'linear' },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'step' },
        y: { field: 'value', type: 'quantitative', title: null, scale: log ? { type: 'log', nice: true } : { zero: false, nice: true } },
        color: { field: 'run', type: 'nominal', title: 'run', sort: runs, legend: { columns: runs.length > 8 ? 2 : 1, labelLimit: 320 } },
        strokeWidth: { field: 'kind', type: 'ordinal', sort: ['yoto', 'baseline'], scale: { domain: ['yoto', 'baseline'], range: [2.6, 1.2] }, legend: null },
        tooltip: [{ field: 'run', type: 'nominal' }, { field: 'key', type: 'nominal', title: 'metric' }, fmt('step', 'step', ',.0f'), fmt('value', 'value')],
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
}

export interface ComputePoint {
  approach: string;
  run: string;
  seconds: number;
  steps: number;
}

/** (5) Compute: training time and steps of the YOTO model vs all baselines together (stacked per run). */
export function computeSpec(points: ComputePoint[], subtitle: string): VegaLiteSpec {
  const domain = [YOTO_SERIES, BASELINE_SERIES];
  const bar = (field: 'seconds' | 'steps', title: string, format: string) => ({
    width: 200,
    height: 220,
    layer: [
      {
        mark: { type: 'bar', stroke: 'white', strokeWidth: 0.7, width: { band: 0.6 } },
        encoding: {
          x: { field: 'approach', type: 'nominal', title: null, sort: domain, axis: { labelAngle: 0 } },
          y: { field, type: 'quantitative', aggregate: 'sum', title, axis: { format } },
          color: { field: 'approach', type: 'nominal', title: null, scale: { domain, range: [YOTO_COLOR, BASELINE_COLOR] }, legend: null },
          detail: { field: 'run' },
          tooltip: [{ field: 'run', type: 'nominal' }, { field, type: 'quantitative', aggregate: 'sum', title, format }],
        },
      },
      {
        mark: { type: 'text', dy: -6, fontSize: 11, baseline: 'bottom' },
        encoding: {
          x: { field: 'approach', type: 'nominal', sort: domain },
          y: { field, type: 'quantitative', aggregate: 'sum' },
          text: { field, type: 'quantitative', aggregate: 'sum', format },
        },
      },
    ],
  });
  return {
    $schema: SCHEMA,
    title: header('Compute spent', subtitle),
    config: CONFIG,
    data: { values: points },
    hconcat: [bar('seconds', 'training time (s)', ',.3~r'), bar('steps', 'training steps', ',.3~r')],
  };
}
