import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TrackerError } from './errors.js';
import { exportRows, parseExportFormat, writeExport } from './export.js';
import { openTracker } from './store.js';

describe('export', () => {
  it('writes RFC 4180 CSV: header from all rows, quoting, flattened λ, NaN/Inf as words', () => {
    const rows = [
      { run: 'a,b', kind: 'yoto', lambda: { kl: 0.5 }, value: Number.NaN },
      { run: 'say "hi"', kind: 'baseline', lambda: { kl: 2 }, value: Number.NEGATIVE_INFINITY, extra: [1, 2] },
      { run: 'multi\nline', kind: 'yoto', lambda: { kl: 1 }, value: 1e-7 },
    ];
    expect(exportRows(rows, 'csv')).toBe(
      'run,kind,lambda.kl,value,extra\r\n' +
        '"a,b",yoto,0.5,NaN,\r\n' +
        '"say ""hi""",baseline,2,-Infinity,"[1,2]"\r\n' +
        '"multi\nline",yoto,1,1e-7,\r\n',
    );
  });

  it('writes JSON that keeps nesting and spells non-finite numbers out', () => {
    const out = JSON.parse(exportRows([{ run: 'a', lambda: { kl: 0.5 }, value: Number.POSITIVE_INFINITY }], 'JSON'));
    expect(out).toEqual([{ run: 'a', lambda: { kl: 0.5 }, value: 'Infinity' }]);
    const table = { columns: ['field', 'r1'], rows: [{ r1: 3, field: 'steps', ignored: 1 }] };
    expect(JSON.parse(exportRows(table, 'json'))).toEqual([{ field: 'steps', r1: 3 }]);
    expect(exportRows(table, 'csv')).toBe('field,r1\r\nsteps,3\r\n');
  });

  it('rejects an unknown format naming the choices', () => {
    expect(() => parseExportFormat('xml')).toThrow(TrackerError);
    expect(() => exportRows([], 'xml')).toThrow(/export format "xml" is not supported; expected one of: csv, json/);
    expect(() => exportRows([], 42 as never)).toThrow(/export format 42 is not supported/);
    expect(() => exportRows([1] as never, 'csv')).toThrow(/export row 0 must be an object, got 1/);
  });

  it('exports query results to a file atomically (no temporary file left behind)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'yoto-export-'));
    try {
      const t = openTracker(join(dir, 'db.sqlite'));
      t.createExperiment({ name: 'e' });
      const r = t.startRun({ experiment: 'e', name: 'b', kind: 'baseline', lambda: { kl: 2 }, gitRevision: null });
      r.logEvaluation({ kl: 16 }, { elbo: -1 });
      r.logEvaluation({ kl: 2 }, { elbo: -2, kl: 3 });
      r.finish();
      writeExport(join(dir, 'out', 'evals.csv'), t.evaluationPoints('e'), 'csv');
      writeExport(join(dir, 'out', 'wide.csv'), t.evaluationTable('e'), 'csv');
      t.close();
      expect(readFileSync(join(dir, 'out', 'evals.csv'), 'utf8')).toBe(
        'experiment,runId,run,kind,lambda.kl,metric,value\r\ne,1,b,baseline,2,elbo,-2\r\ne,1,b,baseline,2,kl,3\r\ne,1,b,baseline,16,elbo,-1\r\n',
      );
      expect(readFileSync(join(dir, 'out', 'wide.csv'), 'utf8')).toBe('run,kind,lambda.kl,elbo,kl\r\nb,baseline,2,-2,3\r\nb,baseline,16,-1,\r\n');
      expect(readdirSync(join(dir, 'out')).sort()).toEqual(['evals.csv', 'wide.csv']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
