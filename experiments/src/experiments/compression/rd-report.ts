// The compression experiment's own report content: the rate–distortion chart with the classical
// codecs, Bjøntegaard deltas (YOTO vs the baselines and vs JPEG), the issue's targets and the points.
import { join } from 'node:path';
import { writeFileAtomic, type EvaluationRow, type ReportTable, type RunRecord } from '@yoto/tracker';
import { identify } from '../../runner/identity.js';
import { isControl } from '../baseline-plan.js';
import type { ReportExtension, ReportExtensionContext } from '../types.js';
import { againstPoint, bdQuality, bdRate, qualityMargin, type BdResult, type RdPoint } from './bd-rate.js';
import { rdChartSpec, type RdRow } from './rd-chart.js';
import { CODEC_LABELS, readReferenceCache, REFERENCE_CACHE, referenceSettings, type ReferenceCache, type ReferencePoint } from './reference-cache.js';
import { fmt } from '../format.js';

export const RD_SUMMARY = 'rd-summary.json';
/** The issue's target: the single model within this many dB BD-PSNR of the fixed-λ baselines. */
export const BD_PSNR_TARGET = 0.3;

const YOTO = 'YOTO (one model)';
const BASELINES = 'baselines (one model per λ)';
const CONTROL = 'equal-steps control';
/** Issue 14: the YOTO model against the equal-steps control, in BD-rate at its point. */
export const CONTROL_RATE_TARGET = 0.05;

/** A learned model's measured point at one λ. */
export interface LearnedPoint {
  lambda: number;
  bpp: number;
  psnr: number;
  ms_ssim: number;
  ms_ssim_db: number;
  estimated_bpp: number;
}

export interface Curve {
  name: string;
  kind: 'yoto' | 'baseline' | 'control' | 'reference';
  points: { bpp: number; psnr: number; ms_ssim_db: number }[];
}

export interface BdRow {
  test: string;
  anchor: string;
  psnr: { rate: BdResult; quality: BdResult } | null;
  msSsim: { rate: BdResult; quality: BdResult } | null;
  error?: string;
}

export async function compressionReport(ctx: ReportExtensionContext): Promise<ReportExtension> {
  const notes: string[] = [];
  const { yoto, baselines, control } = selectRuns(ctx, notes);
  const evals = ctx.tracker.evaluationPoints(ctx.record);
  const yotoPoints = yoto ? learnedPoints(evals.filter((e) => e.runId === yoto.id)) : [];
  const basePoints = baselines.flatMap((b) => learnedPoints(evals.filter((e) => e.runId === b.id)).filter((p) => sameValue(p.lambda, b.lambda?.distortion)));
  const controlPoints = control ? learnedPoints(evals.filter((e) => e.runId === control.id)).filter((p) => sameValue(p.lambda, control.lambda?.distortion)) : [];
  const controlSteps = control ? ctx.plan.runs.find((r) => r.control)?.training.steps : undefined;
  const reference = await referencePoints(ctx, notes);

  const curves: Curve[] = [];
  if (yotoPoints.length) curves.push({ name: YOTO, kind: 'yoto', points: yotoPoints });
  if (basePoints.length) curves.push({ name: BASELINES, kind: 'baseline', points: basePoints });
  if (controlPoints.length) curves.push({ name: CONTROL, kind: 'control', points: controlPoints });
  for (const codec of [...new Set(reference.map((r) => r.codec))])
    curves.push({ name: CODEC_LABELS[codec], kind: 'reference', points: reference.filter((r) => r.codec === codec).sort((a, b) => a.quality - b.quality) });
  if (!yotoPoints.length) {
    notes.push('compression report: the YOTO model has no evaluation points yet; no rate–distortion chart or Bjøntegaard deltas');
    return { notes };
  }

  const pairs: [Curve, Curve][] = [];
  const byName = (n: string) => curves.find((c) => c.name === n);
  const yc = byName(YOTO)!;
  const bc = byName(BASELINES);
  if (bc) pairs.push([yc, bc]);
  for (const ref of curves.filter((c) => c.kind === 'reference')) {
    pairs.push([yc, ref]);
    if (bc) pairs.push([bc, ref]);
  }
  const bd = pairs.map(([test, anchor]) => bdRow(test, anchor));
  for (const row of bd) if (row.error) notes.push(`Bjøntegaard delta of ${row.test} against ${row.anchor}: ${row.error}`);
  const lowDegree = bd.filter((r) => r.psnr && (r.psnr.rate.degree.anchor < 3 || r.psnr.rate.degree.test < 3));
  if (lowDegree.length)
    notes.push(`Bjøntegaard deltas with fewer than 4 points per curve use a lower-degree fit (degree column): ${lowDegree.map((r) => `${r.test} vs ${r.anchor}`).join('; ')}`);

  const cc = byName(CONTROL);
  const vsControl = cc ? [yc, ...(bc ? [bc] : [])].map((c) => ({ test: c.name, ...againstPoint(rd(c, 'psnr'), rd(cc, 'psnr')[0]), msSsim: againstPoint(rd(c, 'ms_ssim_db'), rd(cc, 'ms_ssim_db')[0]) })) : [];
  const targets = targetRows(yc, bc, curves.find((c) => c.kind === 'reference' && c.name === CODEC_LABELS.jpeg), bd, vsControl[0]);
  const learnedMax = Math.max(...[...yotoPoints, ...basePoints, ...controlPoints].map((p) => p.bpp));
  const maxBpp = Number((1.3 * learnedMax).toPrecision(2));
  const rows = chartRows(yotoPoints, basePoints, controlPoints, reference, controlSteps);
  const leftOut = reference.filter((r) => r.bpp > maxBpp).length;
  const chart = {
    id: 'rate-distortion',
    title: 'Rate–distortion: YOTO, baselines and classical codecs',
    spec: rdChartSpec(
      rows,
      ['PSNR (dB, RGB)', 'MS-SSIM (dB)'],
      maxBpp,
      // One clause per line: on one line the subtitle set the image's width, half of it blank.
      [
        `YOTO: one model over ${yotoPoints.length} λ (line); baselines: one model per λ (diamonds)`,
        ...(controlPoints.length ? [`equal-steps control: one baseline with the YOTO model's ${controlSteps ?? '?'} steps (square)`] : []),
        'classical codecs over quality (dashed)' + (leftOut ? `; x axis cut at ${maxBpp} bpp (${leftOut} reference point(s) beyond)` : ''),
      ],
    ),
  };

  const tables: ReportTable[] = [
    { id: 'rd-targets', title: 'Targets (issues 5 and 14)', columns: ['target', 'measured', 'met'], rows: targets },
    {
      id: 'bd',
      title: 'Bjøntegaard deltas (negative BD-rate / positive BD-quality: the test codec is better)',
      columns: ['test', 'anchor', 'BD-rate (PSNR)', 'BD-PSNR (dB)', 'BD-rate (MS-SSIM)', 'BD-MS-SSIM (dB)', 'PSNR overlap (dB)', 'fit degree (test/anchor)'],
      rows: bd.map((r) => ({
        test: r.test,
        anchor: r.anchor,
        'BD-rate (PSNR)': pct(r.psnr?.rate.value),
        'BD-PSNR (dB)': db(r.psnr?.quality.value),
        'BD-rate (MS-SSIM)': pct(r.msSsim?.rate.value),
        'BD-MS-SSIM (dB)': db(r.msSsim?.quality.value),
        'PSNR overlap (dB)': r.psnr?.rate.interval ? `${r.psnr.rate.interval[0].toFixed(2)}–${r.psnr.rate.interval[1].toFixed(2)}` : 'none',
        'fit degree (test/anchor)': r.psnr ? `${r.psnr.rate.degree.test}/${r.psnr.rate.degree.anchor}` : 'n/a',
      })),
    },
    ...(cc
      ? [
          {
            id: 'rd-control',
            title: `Against the equal-steps control (a baseline at λ=${fmt(controlPoints[0].lambda, 3)} with the YOTO model's steps; one point, so the curve is compared at it: negative rate / positive dB = better)`,
            columns: ['test', 'rate at the control’s PSNR', 'PSNR at the control’s rate (dB)', 'rate at the control’s MS-SSIM', 'MS-SSIM at the control’s rate (dB)'],
            rows: vsControl.map((r) => ({
              test: r.test,
              'rate at the control’s PSNR': pct(r.rate),
              'PSNR at the control’s rate (dB)': db(r.quality),
              'rate at the control’s MS-SSIM': pct(r.msSsim.rate),
              'MS-SSIM at the control’s rate (dB)': db(r.msSsim.quality),
            })),
          },
        ]
      : []),
    {
      id: 'rd-learned',
      title: 'Learned codec points (means over the evaluation images, real files)',
      columns: ['model', 'λ', 'bpp', 'PSNR (dB)', 'MS-SSIM', 'MS-SSIM (dB)', 'file / model estimate'],
      rows: [...yotoPoints.map((p) => ({ p, m: 'YOTO' })), ...basePoints.map((p) => ({ p, m: 'baseline' })), ...controlPoints.map((p) => ({ p, m: 'equal-steps control' }))].map(({ p, m }) => ({
        model: m,
        λ: p.lambda,
        bpp: p.bpp,
        'PSNR (dB)': p.psnr,
        'MS-SSIM': p.ms_ssim,
        'MS-SSIM (dB)': p.ms_ssim_db,
        'file / model estimate': p.estimated_bpp > 0 ? p.bpp / p.estimated_bpp : null,
      })),
    },
  ];
  if (reference.length)
    tables.push({
      id: 'rd-reference',
      title: 'Classical codec points (sharp; means over the same images)',
      columns: ['codec', 'quality', 'bpp', 'PSNR (dB)', 'MS-SSIM', 'MS-SSIM (dB)', 'images'],
      rows: reference.map((r) => ({
        codec: CODEC_LABELS[r.codec],
        quality: r.quality,
        bpp: r.bpp,
        'PSNR (dB)': r.psnr,
        'MS-SSIM': r.ms_ssim,
        'MS-SSIM (dB)': r.ms_ssim_db,
        images: r.images,
      })),
    });

  writeFileAtomic(
    join(ctx.outDir, RD_SUMMARY),
    `${JSON.stringify(
      {
        record: ctx.record,
        yotoRun: yoto?.name ?? null,
        baselineRuns: baselines.map((b) => b.name),
        yoto: yotoPoints,
        baselines: basePoints,
        control: controlPoints[0] ?? null,
        vsControl: vsControl.map((r) => ({ test: r.test, ratePsnr: r.rate, psnr: r.quality, rateMsSsim: r.msSsim.rate, msSsimDb: r.msSsim.quality })),
        reference,
        bd: bd.map((r) => ({
          test: r.test,
          anchor: r.anchor,
          bdRatePsnr: r.psnr?.rate.value ?? null,
          bdPsnr: r.psnr?.quality.value ?? null,
          bdRateMsSsim: r.msSsim?.rate.value ?? null,
          bdMsSsimDb: r.msSsim?.quality.value ?? null,
        })),
        targets,
      },
      (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
      1,
    )}\n`,
  );
  return { charts: [chart], tables, notes };
}

/**
 * The runs of the current plan (matched by name, which encodes the config hash); when the tracker
 * holds none of those (a report re-rendered with other settings), the latest finished ones.
 */
function selectRuns(ctx: ReportExtensionContext, notes: string[]): { yoto: RunRecord | undefined; baselines: RunRecord[]; control: RunRecord | undefined } {
  const at = ctx.record.indexOf('@');
  const experiment = at < 0 ? ctx.record : ctx.record.slice(0, at);
  const profile = at < 0 ? 'default' : ctx.record.slice(at + 1);
  const wanted = new Set(ctx.plan.runs.map((s) => identify(experiment, profile, ctx.plan, s).name));
  const finished = ctx.tracker.listRuns({ experiment: ctx.record }).filter((r) => r.status === 'finished');
  const current = finished.filter((r) => wanted.has(r.name));
  const latest = (rs: RunRecord[]) => rs.sort((a, b) => b.id - a.id)[0];
  let yoto = latest(current.filter((r) => r.kind === 'yoto'));
  let baselines = current.filter((r) => r.kind === 'baseline' && !isControl(r.name));
  const control = latest(current.filter((r) => r.kind === 'baseline' && isControl(r.name)));
  if (!yoto) {
    yoto = latest(finished.filter((r) => r.kind === 'yoto'));
    if (yoto) notes.push(`compression report: no YOTO run of this exact config is recorded; using the latest one, ${yoto.name}`);
  }
  if (baselines.length === 0) {
    const byLambda = new Map<number, RunRecord>();
    for (const r of finished.filter((x) => x.kind === 'baseline' && !isControl(x.name)).sort((a, b) => a.id - b.id)) byLambda.set(r.lambda?.distortion ?? Number.NaN, r);
    baselines = [...byLambda.values()];
    if (baselines.length) notes.push('compression report: no baseline run of this exact config is recorded; using the latest baseline per λ');
  }
  return { yoto, baselines: baselines.sort((a, b) => (a.lambda?.distortion ?? 0) - (b.lambda?.distortion ?? 0)), control };
}

/** One point per λ with the metrics the learned codec's evaluation stores. */
export function learnedPoints(rows: readonly Pick<EvaluationRow, 'lambda' | 'metric' | 'value'>[]): LearnedPoint[] {
  const byLambda = new Map<number, Record<string, number>>();
  for (const r of rows) {
    const l = r.lambda.distortion;
    if (l === undefined) continue;
    const m = byLambda.get(l) ?? byLambda.set(l, {}).get(l)!;
    m[r.metric] = r.value;
  }
  return [...byLambda.entries()]
    .filter(([, m]) => ['bpp', 'psnr', 'ms_ssim', 'ms_ssim_db'].every((k) => Number.isFinite(m[k])))
    .map(([lambda, m]) => ({ lambda, bpp: m.bpp, psnr: m.psnr, ms_ssim: m.ms_ssim, ms_ssim_db: m.ms_ssim_db, estimated_bpp: m.estimated_bpp ?? Number.NaN }))
    .sort((a, b) => a.lambda - b.lambda);
}

/** The reference sweep from its cache; computed here (loading tfjs and sharp) only when missing. */
async function referencePoints(ctx: ReportExtensionContext, notes: string[]): Promise<ReferencePoint[]> {
  const settings = referenceSettings(ctx.plan);
  if (settings.codecs.length === 0) return [];
  const file = join(ctx.outDir, REFERENCE_CACHE);
  let cache: ReferenceCache | null = readReferenceCache(file, settings);
  if (!cache) {
    try {
      const [{ cachedReferenceSweep }, { evaluationImagesOf }] = await Promise.all([import('./reference-codecs.js'), import('./rd-pictures.js')]);
      cache = await cachedReferenceSweep(file, await evaluationImagesOf(ctx.plan), settings);
    } catch (err) {
      notes.push(`classical codecs left out: ${(err as Error).message}`);
      return [];
    }
  }
  return cache.points;
}

function rd(c: Curve, metric: 'psnr' | 'ms_ssim_db'): RdPoint[] {
  return c.points.map((p) => ({ rate: p.bpp, quality: p[metric] }));
}

function bdRow(test: Curve, anchor: Curve): BdRow {
  const on = (metric: 'psnr' | 'ms_ssim_db') => {
    const a: RdPoint[] = anchor.points.map((p) => ({ rate: p.bpp, quality: p[metric] }));
    const t: RdPoint[] = test.points.map((p) => ({ rate: p.bpp, quality: p[metric] }));
    return { rate: bdRate(a, t), quality: bdQuality(a, t) };
  };
  try {
    return { test: test.name, anchor: anchor.name, psnr: on('psnr'), msSsim: on('ms_ssim_db') };
  } catch (err) {
    return { test: test.name, anchor: anchor.name, psnr: null, msSsim: null, error: (err as Error).message };
  }
}

/**
 * The issue's two targets: BD-PSNR of YOTO against the baselines within 0.3 dB, and YOTO better
 * than JPEG at equal bpp over the baselines' bpp range (both the mean, as BD-PSNR restricted to
 * that range, and the worst point of the piecewise-linear curves).
 */
function targetRows(yoto: Curve, baselines: Curve | undefined, jpeg: Curve | undefined, bd: BdRow[], vsControl: { rate: number; quality: number } | undefined): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  // Issue 14: negative BD-rate against mozjpeg over the common PSNR range, and within +5% of the control.
  const vsJpeg = jpeg ? bd.find((r) => r.test === yoto.name && r.anchor === jpeg.name)?.psnr?.rate : undefined;
  rows.push({
    target: 'YOTO: negative BD-rate against JPEG (mozjpeg) over the common PSNR range',
    measured: vsJpeg?.interval ? `BD-rate ${pct(vsJpeg.value)} over ${vsJpeg.interval[0].toFixed(2)}–${vsJpeg.interval[1].toFixed(2)} dB` : 'n/a (no JPEG curve or no common PSNR range)',
    met: vsJpeg && Number.isFinite(vsJpeg.value) ? (vsJpeg.value < 0 ? 'yes' : 'no') : 'n/a',
  });
  rows.push({
    target: `YOTO within +${(100 * CONTROL_RATE_TARGET).toFixed(0)}% of the equal-steps control (rate at its PSNR)`,
    measured: vsControl ? `${pct(vsControl.rate)} rate, ${db(vsControl.quality)} dB at its rate` : 'n/a (no control run)',
    met: vsControl && Number.isFinite(vsControl.rate) ? (vsControl.rate <= CONTROL_RATE_TARGET ? 'yes' : 'no') : 'n/a',
  });
  const vsBase = baselines ? bd.find((r) => r.test === yoto.name && r.anchor === baselines.name) : undefined;
  const v = vsBase?.psnr?.quality.value;
  rows.push({
    target: `YOTO within ${BD_PSNR_TARGET} dB BD-PSNR of the fixed-λ baselines`,
    measured: v === undefined ? 'n/a (no baselines)' : `BD-PSNR ${db(v)} dB, BD-rate ${pct(vsBase?.psnr?.rate.value)}`,
    met: v === undefined || !Number.isFinite(v) ? 'n/a' : v >= -BD_PSNR_TARGET ? 'yes' : 'no',
  });
  if (!jpeg || !baselines) {
    rows.push({ target: 'YOTO better than JPEG at equal bpp over the baselines’ range', measured: 'n/a (no JPEG or no baselines)', met: 'n/a' });
    return rows;
  }
  const range: [number, number] = [Math.min(...baselines.points.map((p) => p.bpp)), Math.max(...baselines.points.map((p) => p.bpp))];
  const rd = (c: Curve): RdPoint[] => c.points.map((p) => ({ rate: p.bpp, quality: p.psnr }));
  let mean: BdResult | null = null;
  try {
    mean = bdQuality(rd(jpeg), rd(yoto), { rateInterval: range });
  } catch {
    mean = null;
  }
  const margin = qualityMargin(rd(jpeg), rd(yoto), range);
  const covered = margin ? `${margin.interval[0].toFixed(3)}–${margin.interval[1].toFixed(3)} bpp` : 'none';
  rows.push({
    target: `YOTO better than JPEG at equal bpp over the baselines’ range (${range[0].toFixed(3)}–${range[1].toFixed(3)} bpp)`,
    measured: margin
      ? `BD-PSNR ${db(mean?.value)} dB over ${covered}; worst point ${db(margin.min)} dB`
      : `no overlap of YOTO and JPEG rates within that range (compared over ${covered})`,
    met: margin ? (margin.min > 0 ? 'yes' : 'no') : 'n/a',
  });
  return rows;
}

function chartRows(yoto: LearnedPoint[], base: LearnedPoint[], control: LearnedPoint[], reference: ReferencePoint[], controlSteps: number | undefined): RdRow[] {
  const rows: RdRow[] = [];
  const add = (series: string, kind: RdRow['kind'], bpp: number, psnr: number, msDb: number, setting: number, label: string) => {
    rows.push({ series, kind, metric: 'PSNR (dB, RGB)', bpp, value: psnr, setting, label });
    rows.push({ series, kind, metric: 'MS-SSIM (dB)', bpp, value: msDb, setting, label });
  };
  for (const p of yoto) add(YOTO, 'yoto', p.bpp, p.psnr, p.ms_ssim_db, p.lambda, `λ=${fmt(p.lambda, 3)}`);
  for (const p of base) add(BASELINES, 'baseline', p.bpp, p.psnr, p.ms_ssim_db, p.lambda, `λ=${fmt(p.lambda, 3)}`);
  const controlName = `${CONTROL} (${controlSteps ?? 'YOTO’s'} steps)`;
  for (const p of control) add(controlName, 'control', p.bpp, p.psnr, p.ms_ssim_db, p.lambda, `λ=${fmt(p.lambda, 3)}, equal steps`);
  for (const r of reference) add(CODEC_LABELS[r.codec], 'reference', r.bpp, r.psnr, r.ms_ssim_db, r.quality, `q=${r.quality}`);
  return rows;
}

function sameValue(a: number, b: number | undefined): boolean {
  return b !== undefined && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

function pct(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return 'n/a';
  return `${v >= 0 ? '+' : '−'}${Math.abs(100 * v).toFixed(2)}%`;
}

function db(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return 'n/a';
  return `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(3)}`;
}

