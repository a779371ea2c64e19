/**
 * `pnpm bench tracker`: logging throughput through the batched API, and the time to build (and
 * render) the report of an experiment holding 1,000,000 metric rows. Targets from issue 3:
 * ≥ 200,000 rows/s sustained, report built in < 2 s.
 *
 * Options: --rows N (default 1,000,000), --keys K metrics per step (default 4), --keep (leave the
 * database and report in the temporary folder and print its path).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFlags } from '@yoto/flags';
import { buildReport, openTracker, renderReport } from '../src/index.js';

const LOG_TARGET = 200_000;
const REPORT_TARGET_S = 2;

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export async function main(args: string[] = []): Promise<number> {
  const { flags } = parseFlags(
    'bench tracker',
    args,
    { rows: { type: 'integer', min: 1, default: 1_000_000 }, keys: { type: 'integer', min: 1, default: 4 }, keep: { type: 'boolean' } },
    'pnpm bench tracker [--rows n] [--keys n] [--keep]',
  );
  if (flags.help) {
    console.log('usage: pnpm bench tracker [--rows n] [--keys n] [--keep]');
    return 0;
  }
  const totalRows = flags.rows;
  const keys = Array.from({ length: flags.keys }, (_, i) => `metric${i}`);
  const dir = mkdtempSync(join(tmpdir(), 'yoto-bench-tracker-'));
  let failed = false;
  try {
    // 1. Throughput: one run logging step after step, including the final flush on finish().
    {
      const t = openTracker(join(dir, 'throughput.sqlite'));
      t.createExperiment({ name: 'throughput' });
      const run = t.startRun({ experiment: 'throughput', name: 'r', kind: 'yoto', gitRevision: null });
      const steps = Math.ceil(totalRows / keys.length);
      const values: Record<string, number> = {};
      const start = performance.now();
      for (let s = 0; s < steps; s++) {
        for (let k = 0; k < keys.length; k++) values[keys[k]] = Math.sin(s + k);
        run.logMetrics(s, values);
      }
      run.finish();
      const seconds = (performance.now() - start) / 1000;
      const rate = (steps * keys.length) / seconds;
      failed ||= rate < LOG_TARGET;
      console.log(
        `logging: ${fmt(steps * keys.length)} rows (${keys.length} metrics × ${fmt(steps)} steps) in ${seconds.toFixed(2)} s = ` +
          `${fmt(rate)} rows/s (target ≥ ${fmt(LOG_TARGET)}: ${rate >= LOG_TARGET ? 'met' : 'MISSED'})`,
      );
      t.close();
    }

    // 2. Report of an experiment with `totalRows` metric rows: 1 YOTO run + 8 baselines.
    {
      const t = openTracker(join(dir, 'report.sqlite'));
      const exp = t.createExperiment({ name: 'bench-vae', task: 'vae' });
      const betas = [0.125, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64];
      const baselineBetas = [0.125, 0.5, 1, 2, 4, 8, 16, 64];
      const runs = 1 + baselineBetas.length;
      const steps = Math.ceil(totalRows / runs / keys.length);
      const fill = (run: ReturnType<typeof t.startRun>, scale: number) => {
        const values: Record<string, number> = {};
        for (let s = 0; s < steps; s++) {
          for (let k = 0; k < keys.length; k++) values[keys[k]] = scale * (1 + Math.exp(-s / 2000)) + 0.05 * Math.sin(s + k);
          run.logMetrics(s, values);
        }
        run.finish();
      };
      const yoto = t.startRun({ experiment: exp.id, name: 'yoto', kind: 'yoto', gitRevision: null });
      fill(yoto, 1);
      for (const b of betas) yoto.logEvaluation({ kl: b, reconstruction: 1 }, { kl: 30 / (1 + b), reconstruction: 80 + 12 * Math.log1p(b), elbo: -(110 + b) });
      for (const b of baselineBetas) {
        const run = t.startRun({ experiment: exp.id, name: `baseline-kl=${b}`, kind: 'baseline', lambda: { kl: b, reconstruction: 1 }, gitRevision: null });
        fill(run, 1.1);
        run.logEvaluation({ kl: b, reconstruction: 1 }, { kl: 29 / (1 + b), reconstruction: 79 + 12 * Math.log1p(b), elbo: -(108 + b) });
      }
      const rows = runs * steps * keys.length;
      t.close();

      // A fresh process would open the file cold; reopen so no statement cache helps the timing.
      const reader = openTracker(join(dir, 'report.sqlite'), { create: false });
      const start = performance.now();
      const report = buildReport(reader, 'bench-vae', { lambdaTitle: 'β', tradeoffs: [{ x: 'kl', y: 'reconstruction' }] });
      const built = (performance.now() - start) / 1000;
      const curvePoints = (report.charts.find((c) => c.id === 'learning-curves')!.spec as { data: { values: unknown[] } }).data.values.length;
      failed ||= built >= REPORT_TARGET_S;
      console.log(
        `report: built from ${fmt(rows)} metric rows (${runs} runs) in ${built.toFixed(3)} s, ${report.charts.length} charts, ` +
          `${fmt(curvePoints)} learning-curve points (target < ${REPORT_TARGET_S} s: ${built < REPORT_TARGET_S ? 'met' : 'MISSED'})`,
      );
      const renderStart = performance.now();
      const out = await renderReport(report, join(dir, 'report'));
      console.log(`report: rendered ${out.files.length} files (SVG, PNG, HTML) in ${((performance.now() - renderStart) / 1000).toFixed(3)} s`);
      reader.close();
    }
  } finally {
    if (flags.keep) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
  return failed ? 1 : 0;
}

// Run directly: `tsx packages/tracker/bench/tracker.ts`.
if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
