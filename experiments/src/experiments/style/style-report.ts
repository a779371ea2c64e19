// The style-adjustable experiment's own report content: the trade-off plane and the terms against the
// content weight with one YOTO line per named setting, the relative gap at each baseline's setting,
// the issue's target (within 5% of every baseline, with the YOTO model's share of their compute) and
// which style loss the run used. It replaces the generic charts, which order the whole grid by the
// content weight alone and so draw lines through points whose style weights differ.
import { sameLambda, type EvaluationRow, type ReportTable } from '@yoto/tracker';
import { fmt } from '../format.js';
import type { StylePictureOptions } from '../style-pictures.js';
import type { ReportExtension, ReportExtensionContext } from '../types.js';
import { styleGapSpec, styleMetricsSpec, styleTradeoffSpec, type StyleGap, type StyleRow } from './style-charts.js';

const STYLE_LAYERS = ['style1', 'style2', 'style3', 'style4'] as const;
/** The metrics compared at each baseline's setting. */
const GAP_METRICS = ['weighted_loss', 'content', 'style'] as const;

/** The generic charts and tables this content replaces (see the module comment). */
export const REPLACED = ['tradeoff-1', 'metrics-vs-lambda', 'gap', 'gaps'];

type Setting = StylePictureOptions['settings'][number];

export async function styleReport(ctx: ReportExtensionContext): Promise<ReportExtension> {
  const pictures = ctx.plan.pictures as unknown as StylePictureOptions | undefined;
  const notes: string[] = [lossChoiceNote(ctx.plan.task.options, (pictures?.lossChoiceSteps ?? 0) > 0)];
  const settings = pictures?.settings ?? [];
  const evals = ctx.tracker.evaluationPoints(ctx.record, { runIds: ctx.runIds });
  const rows = styleRows(evals, settings);
  if (!rows.some((r) => r.kind === 'yoto')) {
    notes.push('style report: the YOTO model has no evaluation points yet; no trade-off or gap charts');
    return { notes, replaces: REPLACED };
  }
  const lines = settings.map((s) => s.name).filter((n) => rows.some((r) => r.line === n));
  const title = (m: string) => ctx.plan.report.metricTitles[m] ?? m;
  const r = ctx.plan.report;
  const gaps = styleGaps(rows, [...GAP_METRICS]);
  const baselineSettings = settings.map((s) => s.name).filter((n) => gaps.some((g) => g.setting === n));
  const charts = [
    { id: 'style-tradeoff', title: `Trade-off: ${title(r.y)} vs ${title(r.x)}`, spec: styleTradeoffSpec(rows, lines, { x: r.x, y: r.y, xTitle: title(r.x), yTitle: title(r.y) }) },
    {
      id: 'style-terms',
      title: 'Held-out terms against the content weight',
      spec: styleMetricsSpec(rows, lines, r.metrics.map((m) => ({ name: m, title: title(m) }))),
    },
  ];
  if (gaps.length)
    charts.push({
      id: 'style-gap',
      title: 'Relative gap to the baselines',
      spec: styleGapSpec(gaps, baselineSettings, GAP_METRICS.map((m) => ({ name: m, title: title(m) })), { metric: r.gapMetric, value: r.gapTarget }),
    });
  else notes.push('no relative-gap chart: no baseline has been evaluated at its setting beside the YOTO model yet');

  const compute = ctx.tracker.computeSummary(ctx.record, { runIds: ctx.runIds }).totals;
  const tables: ReportTable[] = [
    { id: 'style-targets', title: 'Target (issue 12)', columns: ['target', 'measured', 'met'], rows: [styleTarget(gaps, r.gapMetric, r.gapTarget, compute)] },
    {
      id: 'style-gaps',
      title: 'At each baseline’s setting: held-out terms of the YOTO model and of the baseline',
      columns: ['setting', 'λ (content, style1…4)', 'metric', 'YOTO', 'baseline', 'gap'],
      rows: gaps.map((g) => ({
        setting: g.setting,
        'λ (content, style1…4)': lambdaText(settings.find((s) => s.name === g.setting)?.lambda),
        metric: title(g.metric),
        YOTO: g.yoto,
        baseline: g.baseline,
        gap: pct(g.gap),
      })),
    },
  ];
  return { charts, tables, notes, replaces: REPLACED, tradeoff: 'style-tradeoff' };
}

/**
 * Evaluation rows regrouped per (run, λ vector), each assigned to the line of the named setting whose
 * style weights it shares (rows of other style weights are left out: no line describes them), and
 * named when its λ is exactly a setting's.
 */
export function styleRows(evals: readonly Pick<EvaluationRow, 'runId' | 'kind' | 'lambda' | 'metric' | 'value'>[], settings: readonly Setting[]): StyleRow[] {
  const byPoint = new Map<string, StyleRow>();
  for (const e of evals) {
    const id = `${e.runId}\u0000${JSON.stringify(e.lambda)}`;
    let p = byPoint.get(id);
    if (!p) {
      const line = settings.find((s) => sameLambda(styleWeights(s.lambda), styleWeights(e.lambda)));
      if (!line || e.lambda.content === undefined) continue;
      const setting = settings.find((s) => sameLambda(s.lambda, e.lambda));
      byPoint.set(id, (p = { line: line.name, kind: e.kind, content: e.lambda.content, setting: setting?.name ?? null, values: {} }));
    }
    p.values[e.metric] = e.value;
  }
  return [...byPoint.values()].sort((a, b) => a.line.localeCompare(b.line) || a.content - b.content);
}

/** For each baseline point at a named setting, the YOTO model's point at the same setting: the relative gap per metric. */
export function styleGaps(rows: readonly StyleRow[], metrics: readonly string[]): StyleGap[] {
  const out: StyleGap[] = [];
  for (const b of rows.filter((r) => r.kind === 'baseline' && r.setting !== null)) {
    const y = rows.find((r) => r.kind === 'yoto' && r.setting === b.setting);
    if (!y) continue;
    for (const m of metrics) {
      const [yv, bv] = [y.values[m], b.values[m]];
      if (Number.isFinite(yv) && Number.isFinite(bv)) out.push({ setting: b.setting!, metric: m, yoto: yv, baseline: bv, gap: (yv - bv) / Math.abs(bv) });
    }
  }
  return out;
}

/** The issue's target as a table row: every baseline setting's gap on `metric` within `target`, and the compute share. */
export function styleTarget(gaps: readonly StyleGap[], metric: string, target: number, compute: readonly { approach: string; steps: number; seconds: number }[]): Record<string, unknown> {
  const yoto = compute.find((c) => c.approach === 'yoto');
  const base = compute.find((c) => c.approach === 'baselines');
  const share =
    yoto && base && base.steps > 0
      ? `; the YOTO model took ${pct(yoto.steps / base.steps, false)} of the baselines’ steps and ${base.seconds > 0 ? pct(yoto.seconds / base.seconds, false) : 'n/a'} of their time`
      : '';
  const on = gaps.filter((g) => g.metric === metric);
  const targetText = `YOTO’s weighted held-out loss within ${fmt(100 * target)}% of the baseline’s at every baseline setting`;
  if (!on.length) return { target: targetText, measured: `n/a (no baseline evaluated beside the YOTO model)${share}`, met: 'n/a' };
  const worst = on.reduce((a, g) => (g.gap > a.gap ? g : a));
  return {
    target: targetText,
    measured: `${on.map((g) => `${g.setting} ${pct(g.gap)}`).join(', ')} (worst: ${worst.setting})${share}`,
    met: worst.gap <= target ? 'yes' : 'no',
  };
}

/**
 * Which style loss the run used, and why that is the default: MobileNet and Darknet are not VGG, and
 * their activations are peaky enough that Gram matrices of the raw features favour a few channels
 * (Wang et al., CVPR 2021); the softmax over positions per channel smooths them.
 */
export function lossChoiceNote(options: Record<string, unknown>, picture: boolean): string {
  const n = options.lossNetwork as string | { path: string } | undefined;
  const preset = typeof n !== 'object' || !n;
  const network = preset ? (n ?? 'mobilenet') : `the network at ${n.path}`;
  const softmax = options.softmax !== false;
  const temperature = typeof options.softmaxTemperature === 'number' ? options.softmaxTemperature : 1;
  return (
    `Style loss: ${network} features, ${softmax ? `softmax-transformed before their Gram matrices (temperature ${fmt(temperature)})` : 'raw (no softmax) Gram matrices'}. ` +
    (preset
      ? 'Why softmax is the default: MobileNet and Darknet are not VGG, and non-VGG activations are peaky, so raw Gram matrices are dominated by a few channels ' +
        'and give weak stylizations (Wang et al., CVPR 2021); the softmax over positions per channel smooths them. '
      : '') +
    (picture ? 'The loss-choice picture shows what raw and softmax Grams ask for on one held-out photo.' : '')
  ).trim();
}

function lambdaText(l: Record<string, number> | undefined): string {
  return l ? ['content', ...STYLE_LAYERS].map((t) => fmt(l[t], 3)).join(', ') : 'n/a';
}

/** The style layers' weights of a λ vector (what a line holds fixed). */
function styleWeights(l: Record<string, number>): Record<string, number> {
  return Object.fromEntries(STYLE_LAYERS.filter((t) => l[t] !== undefined).map((t) => [t, l[t]]));
}

function pct(v: number, signed = true): string {
  if (!Number.isFinite(v)) return 'n/a';
  const s = `${Math.abs(100 * v).toFixed(v !== 0 && Math.abs(v) < 0.1 ? 2 : 1)}%`;
  return signed ? `${v >= 0 ? '+' : '−'}${s}` : s;
}
