/// <reference lib="dom" />
import embed from 'vega-embed';

/** The layer added to the report's trade-off spec: the current λ's point, fed by the named dataset. */
const CURRENT = 'current';

export interface TradeoffChart {
  /** Moves the highlighted point to (x, y) on the chart's axes. */
  setCurrent(x: number, y: number, lambda: number): Promise<void>;
}

/** What names a clicked baseline point: its run (the generic chart) or its named setting (style's chart). */
export interface BaselineDatum {
  run?: string;
  setting?: string;
}

/**
 * The report's trade-off chart (the same Vega-Lite spec) with one more layer: a ring at the current
 * λ. `onBaseline` receives the datum of a clicked baseline point.
 */
export async function showTradeoffChart(
  el: HTMLElement,
  reportSpec: Record<string, unknown>,
  lambdaTitle: string,
  start: { x: number; y: number; lambda: number },
  onBaseline: (datum: BaselineDatum) => void,
): Promise<TradeoffChart> {
  const layers = (reportSpec.layer as Record<string, unknown>[]) ?? [];
  const spec = {
    ...reportSpec,
    layer: [
      ...layers,
      {
        name: 'current_lambda',
        // Inline and named: the layer starts at a real point (an empty one warns of infinite extents).
        data: { name: CURRENT, values: [start] },
        mark: { type: 'point', shape: 'circle', size: 260, filled: false, stroke: '#d62728', strokeWidth: 3 },
        encoding: {
          x: { field: 'x', type: 'quantitative' },
          y: { field: 'y', type: 'quantitative' },
          tooltip: [{ field: 'lambda', type: 'quantitative', title: `current ${lambdaTitle}`, format: '.4~g' }],
        },
      },
    ],
  };
  const { view } = await embed(el, spec as never, { renderer: 'svg', actions: false });
  view.addEventListener('click', (_event, item) => {
    const datum = (item as { datum?: BaselineDatum & { kind?: string } } | null)?.datum;
    if (datum?.kind === 'baseline') onBaseline(datum);
  });
  return {
    async setCurrent(x, y, lambda) {
      await view.data(CURRENT, [{ x, y, lambda }]).runAsync();
    },
  };
}
