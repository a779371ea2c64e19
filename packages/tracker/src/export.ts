import { TrackerError } from './errors.js';
import type { Table } from './types.js';
import { writeFileAtomic } from './util/atomic.js';
import { describe } from './util/values.js';

export type ExportFormat = 'csv' | 'json';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['csv', 'json'];

export function parseExportFormat(format: unknown): ExportFormat {
  if (typeof format === 'string' && (EXPORT_FORMATS as readonly string[]).includes(format.toLowerCase())) {
    return format.toLowerCase() as ExportFormat;
  }
  throw new TrackerError('INVALID_FORMAT', `export format ${describe(format)} is not supported; expected one of: ${EXPORT_FORMATS.join(', ')}`);
}

/**
 * Serialises query results. CSV flattens nested objects one level (`lambda.kl`) and JSON-encodes
 * arrays; both write NaN and ±Infinity as the words `NaN`, `Infinity`, `-Infinity` (JSON has no
 * literal for them, and losing them would hide a diverged run).
 */
export function exportRows(data: Table | readonly object[], format: ExportFormat | string): string {
  const fmt = parseExportFormat(format);
  const { columns, rows } = normalise(data);
  if (fmt === 'json') {
    // Rows keep their nesting in JSON; only a table is reordered to its columns.
    if (Array.isArray(data)) return `${JSON.stringify(data, jsonReplacer, 2)}\n`;
    const ordered = rows.map((r) => Object.fromEntries(columns.filter((c) => c in r).map((c) => [c, r[c]])));
    return `${JSON.stringify(ordered, jsonReplacer, 2)}\n`;
  }
  const lines = [columns.map(csvCell).join(',')];
  for (const r of rows) lines.push(columns.map((c) => csvCell(r[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** exportRows written atomically to `path`. */
export function writeExport(path: string, data: Table | readonly object[], format: ExportFormat | string): void {
  writeFileAtomic(path, exportRows(data, format));
}

function normalise(data: Table | readonly object[]): { columns: string[]; rows: Record<string, unknown>[] } {
  if (Array.isArray(data)) {
    const rows = (data as object[]).map((r, i) => {
      if (r === null || typeof r !== 'object') throw new TrackerError('INVALID_ARGUMENT', `export row ${i} must be an object, got ${describe(r)}`);
      return flatten(r as Record<string, unknown>);
    });
    const columns: string[] = [];
    const seen = new Set<string>();
    for (const r of rows) for (const k of Object.keys(r)) if (!seen.has(k)) (seen.add(k), columns.push(k));
    return { columns, rows };
  }
  const t = data as Table;
  if (!t || !Array.isArray(t.columns) || !Array.isArray(t.rows)) {
    throw new TrackerError('INVALID_ARGUMENT', `export data must be an array of rows or a { columns, rows } table`);
  }
  return { columns: t.columns, rows: t.rows };
}

/** One level: `{ lambda: { kl: 1 } }` → `{ 'lambda.kl': 1 }`; deeper values stay as they are. */
function flatten(r: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k2, v2] of Object.entries(v)) out[`${k}.${k2}`] = v2;
    } else out[k] = v;
  }
  return out;
}

function jsonReplacer(_key: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? String(v) : v;
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s: string;
  if (typeof v === 'number') s = String(v);
  else if (typeof v === 'string') s = v;
  else if (typeof v === 'boolean' || typeof v === 'bigint') s = String(v);
  else s = JSON.stringify(v, jsonReplacer);
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
