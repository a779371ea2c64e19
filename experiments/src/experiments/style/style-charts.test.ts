// The style charts as rendered: what the SVG shows, not only what the spec asks for.
import { chartToSvg } from '@yoto/tracker';
import { describe, expect, it } from 'vitest';
import { type StyleGap, styleGapSpec } from './style-charts.js';

const METRICS = [
  { name: 'weighted_loss', title: 'weighted loss' },
  { name: 'content', title: 'content term' },
  { name: 'style', title: 'style terms' },
];

/** The texts of the SVG's axis labels with their opacity (Vega hides an overlapping label with opacity 0). */
function axisLabels(svg: string): { text: string; opacity: string }[] {
  const groups = svg.split('role-axis-label').slice(1).map((g) => g.slice(0, g.indexOf('</g>')));
  return groups.flatMap((g) => [...g.matchAll(/<text[^>]*opacity="([\d.]+)"[^>]*>([^<]*)<\/text>/g)].map((m) => ({ text: m[2], opacity: m[1] })));
}

describe('style gap chart', () => {
  for (const settings of [
    ['balanced', 'content-heavy', 'style-heavy'],
    ['balanced', 'content-heavy', 'style-heavy', 'style1-only', 'style2-only', 'style3-only', 'style4-only'],
  ])
    it(`labels every setting on every panel's axis (${settings.length} settings)`, async () => {
      const gaps: StyleGap[] = METRICS.flatMap((m, j) => settings.map((setting, i) => ({ setting, metric: m.name, yoto: 1, baseline: 1, gap: 0.1 * (i - j) })));
      const svg = await chartToSvg(styleGapSpec(gaps, settings, METRICS, { metric: 'weighted_loss', value: 0.05 }));
      const labels = axisLabels(svg);
      for (const setting of settings) {
        const drawn = labels.filter((l) => l.text === setting);
        expect(drawn.map((l) => l.opacity), setting).toEqual(METRICS.map(() => '1'));
      }
    });
});
