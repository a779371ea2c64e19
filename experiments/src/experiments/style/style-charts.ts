// The style-adjustable report's charts: Vega-Lite specs built from tidy rows (pure, so testable
// without a tracker). Five coefficients vary over the grid, so no single λ axis orders it: each YOTO
// line holds the style weights of one named setting fixed and follows the content weight alone.
import { specs } from '@yoto/tracker';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
/** One colour per setting line, in the plan's order (colour-blind-safe Tableau 10 subset). */
const PALETTE = ['#1f6fb4', '#e4572e', '#2ca02c', '#8e44ad', '#b8860b', '#17becf', '#7f7f7f'];

/** One evaluated point: the YOTO model or a baseline at one full λ vector. */
export interface StyleRow {
  /** The line it belongs to: the named setting whose style weights it shares (e.g. `style-heavy`). */
  line: string;
  kind: 'yoto' | 'baseline';
  /** The content weight (the line's order). */
  content: number;
  /** The named setting at exactly this λ, if any (a baseline's, or one the YOTO model is evaluated at). */
  setting: string | null;
  /** Metric values by name (weighted_loss, content, style, style1…style4). */
  values: Record<string, number>;
}

/** A baseline's setting and the YOTO model's relative gap to it on one metric. */
export interface StyleGap {
  setting: string;
  metric: string;
  yoto: number;
  baseline: number;
  /** (yoto − baseline) / |baseline| */
  gap: number;
}

function lineColor(lines: readonly string[]) {
  return { field: 'line', type: 'nominal', title: 'style weights of', sort: lines, scale: { domain: lines, range: lines.map((_, i) => PALETTE[i % PALETTE.length]) }, legend: { orient: 'top', direction: 'horizontal', columns: 4 } };
}

function num(title: string, field: string, format = '.4~g') {
  return { field, title, type: 'quantitative', format };
}

/**
 * The trade-off plane (style terms summed on x, content term on y). Per named setting with a line:
 * the YOTO model over the content weight at that setting's style weights (line, in content-weight
 * order), a ring on the YOTO point at the setting itself, and the setting's baseline (diamond, same
 * colour, labelled). Settings evaluated at one point only are single points of their colour.
 */
export function styleTradeoffSpec(rows: readonly StyleRow[], lines: readonly string[], axes: { x: string; y: string; xTitle: string; yTitle: string }): specs.VegaLiteSpec {
  const values = rows
    .filter((r) => Number.isFinite(r.values[axes.x]) && Number.isFinite(r.values[axes.y]))
    .map((r) => ({ line: r.line, kind: r.kind, content: r.content, setting: r.setting ?? '', x: r.values[axes.x], y: r.values[axes.y] }));
  const x = { field: 'x', type: 'quantitative', title: axes.xTitle, scale: { zero: false, nice: true } };
  const y = { field: 'y', type: 'quantitative', title: axes.yTitle, scale: { zero: false, nice: true } };
  const color = lineColor(lines);
  const tooltip = [{ field: 'kind', type: 'nominal' }, { field: 'line', type: 'nominal', title: 'style weights of' }, num('content weight', 'content'), num(axes.xTitle, 'x'), num(axes.yTitle, 'y')];
  return {
    $schema: SCHEMA,
    title: {
      text: `Trade-off: ${axes.yTitle} vs ${axes.xTitle}`,
      subtitle: [
        'YOTO: the one model, a line per setting: its style weights fixed, the content weight rising along the line (ring: at the setting itself)',
        'Baselines: one model per setting (diamonds, the colour of their setting)',
      ],
    },
    config: specs.CONFIG,
    width: 460,
    height: 320,
    data: { values },
    layer: [
      specs.yotoLineLayer({ x, y, color, tooltip }, { detail: 'line', order: 'content', pointSize: 36 }),
      {
        transform: [{ filter: "datum.kind === 'yoto' && datum.setting !== ''" }],
        mark: { type: 'point', filled: false, size: 180, strokeWidth: 1.6 },
        encoding: { x, y, color, tooltip },
      },
      specs.baselineDiamondLayer({ x, y, color, tooltip }, { size: 130, stroke: '#222222', strokeWidth: 0.8 }),
      {
        transform: [{ filter: "datum.kind === 'baseline'" }, { calculate: "datum.setting + ' (baseline)'", as: 'label' }],
        mark: { type: 'text', align: 'left', dx: 8, dy: -7, fontSize: 9, color: '#333333' },
        encoding: { x, y, text: { field: 'label' } },
      },
    ],
  };
}

/** Every metric against the content weight: a panel per metric, a YOTO line per setting, baselines as diamonds. */
export function styleMetricsSpec(rows: readonly StyleRow[], lines: readonly string[], metrics: readonly { name: string; title: string }[]): specs.VegaLiteSpec {
  const values = rows.flatMap((r) =>
    metrics.filter((m) => Number.isFinite(r.values[m.name])).map((m) => ({ line: r.line, kind: r.kind, content: r.content, metric: m.title, value: r.values[m.name] })),
  );
  const x = { field: 'content', type: 'quantitative', title: 'content weight', scale: { zero: false, nice: false, padding: 10 } };
  const y = { field: 'value', type: 'quantitative', title: null, scale: { zero: false, nice: true } };
  const color = lineColor(lines);
  const tooltip = [{ field: 'kind', type: 'nominal' }, { field: 'line', type: 'nominal', title: 'style weights of' }, { field: 'metric', type: 'nominal' }, num('content weight', 'content'), num('value', 'value')];
  return {
    $schema: SCHEMA,
    title: { text: 'Held-out terms against the content weight', subtitle: 'YOTO: a line per setting (its style weights fixed); baselines: diamonds at their setting' },
    config: specs.CONFIG,
    data: { values },
    facet: { field: 'metric', type: 'nominal', title: null, sort: metrics.map((m) => m.title) },
    columns: 3,
    spec: {
      width: 240,
      height: 170,
      layer: [
        specs.yotoLineLayer({ x, y, color, tooltip }, { detail: 'line', order: 'content', pointSize: 26 }),
        specs.baselineDiamondLayer({ x, y, color, tooltip }, { size: 90, stroke: '#222222', strokeWidth: 0.6 }),
      ],
    },
    resolve: { scale: { y: 'independent' } },
  };
}

/**
 * The relative-gap panel: per baseline setting (x, in the plan's order), how far the YOTO model at
 * that exact setting is from the baseline trained there, one panel per metric; the target band is
 * shaded on the target metric's panel.
 */
export function styleGapSpec(gaps: readonly StyleGap[], settings: readonly string[], metrics: readonly { name: string; title: string }[], target: { metric: string; value: number }): specs.VegaLiteSpec {
  const pct = (v: number) => `${+(100 * v).toPrecision(3)}%`;
  const shown = metrics.filter((m) => gaps.some((g) => g.metric === m.name));
  const panel = (m: { name: string; title: string }): specs.VegaLiteSpec => {
    // Angled, with the house's overlap pruning off: a panel is 220 px wide, so three level names
    // (73 px apart) already collide and 'greedy' hid every second one ('content-heavy'); the pruning
    // tests axis-aligned boxes, which overstate how much rotated labels overlap. At −35° labels
    // 31 px apart (all seven settings) still clear each other, so every setting is named.
    const x = { field: 'setting', type: 'nominal', title: 'setting', sort: settings, axis: { labelAngle: -35, labelOverlap: false } };
    const y = { field: 'gap', type: 'quantitative', title: 'relative gap', axis: { format: '.1~%' }, scale: { zero: true, nice: true } };
    const layers: specs.VegaLiteSpec[] = [];
    if (m.name === target.metric)
      layers.push({ data: { values: [{ lo: -target.value, hi: target.value }] }, mark: { type: 'rect', color: '#2ca02c', opacity: 0.14 }, encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } });
    layers.push(
      { mark: { type: 'rule', color: '#888888', strokeDash: [4, 3] }, encoding: { y: { datum: 0 } } },
      {
        transform: [{ filter: { field: 'metric', equal: m.name } }],
        layer: [
          { mark: { type: 'rule', color: '#1f6fb4', strokeWidth: 2 }, encoding: { x, y, y2: { datum: 0 } } },
          {
            mark: { type: 'point', filled: true, size: 70, color: '#1f6fb4' },
            encoding: {
              x,
              y,
              tooltip: [{ field: 'setting', type: 'nominal' }, num('baseline', 'baseline'), num('YOTO', 'yoto'), { field: 'gap', type: 'quantitative', title: 'gap', format: '+.2~%' }],
            },
          },
        ],
      },
    );
    return { title: { text: m.title, fontSize: 12, subtitle: m.name === target.metric ? `shaded: the ±${pct(target.value)} target band` : ' ', subtitleFontSize: 10 }, width: 220, height: 170, layer: layers };
  };
  return {
    $schema: SCHEMA,
    title: { text: 'Relative gap: (YOTO − baseline) / |baseline| at each baseline’s setting', subtitle: 'Positive: the one YOTO model’s held-out value is higher than that of the baseline trained for the setting' },
    config: { ...specs.CONFIG, concat: { spacing: 24 } },
    data: { values: gaps.map((g) => ({ ...g })) },
    columns: 3,
    concat: shown.map(panel),
  };
}
