import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { type DatasetFile, datasetPath, findDataset, getDataset, locateFile } from './dataset.js';

export interface ChecksumMismatch {
  path: string;
  /** The file actually hashed (may be the `.gz` variant). */
  file: string;
  expected: string;
  actual: string;
}

export interface VerifyReport {
  dataset: string;
  dir: string;
  /** Files whose checksum matched. */
  verified: number;
  /** Present files that have no checksum to compare with. */
  unchecked: string[];
  /** Required files that are absent. */
  missing: string[];
  mismatched: ChecksumMismatch[];
  /** Files that could not be read (or not decompressed). */
  unreadable: { path: string; error: string }[];
  ok: boolean;
}

/** SHA-256 (hex) of a file's bytes, or of its decompressed bytes when `gunzip` is set. */
export async function sha256File(file: string, gunzip = false): Promise<string> {
  const hash = createHash('sha256');
  const sink = async (source: AsyncIterable<Buffer>): Promise<void> => {
    for await (const chunk of source) hash.update(chunk);
  };
  if (gunzip) await pipeline(createReadStream(file), createGunzip(), sink);
  else await pipeline(createReadStream(file), sink);
  return hash.digest('hex');
}

/** Hashes what locateFile found, undoing the gzip wrapper where the spec allows one. */
export async function hashDatasetFile(found: string, file: DatasetFile): Promise<string> {
  return sha256File(found, file.gzip === true && found.endsWith('.gz') && !file.path.endsWith('.gz'));
}

/**
 * Remembers the SHA-256 of files by path, size and modification time, so that verifying an
 * unchanged file again costs a `stat` instead of reading it (see hash-cache.ts).
 */
export interface HashCache {
  get(file: string, size: number, mtimeMs: number): string | undefined;
  set(file: string, size: number, mtimeMs: number, sha256: string): void;
}

export interface VerifyOptions {
  cache?: HashCache;
}

/** Checks every listed file in `dir` against its checksum. Never throws for bad data; reports it. */
export async function verifyFolder(dataset: string, dir: string, files: readonly DatasetFile[], options: VerifyOptions = {}): Promise<VerifyReport> {
  const report: VerifyReport = { dataset, dir, verified: 0, unchecked: [], missing: [], mismatched: [], unreadable: [], ok: false };
  for (const f of files) {
    const found = locateFile(dir, f);
    if (found === null) {
      if (!f.optional) report.missing.push(f.path);
      continue;
    }
    if (!f.sha256) {
      report.unchecked.push(f.path);
      continue;
    }
    let actual: string;
    try {
      actual = await cachedHash(found, f, options.cache);
    } catch (e) {
      report.unreadable.push({ path: f.path, error: (e as Error).message });
      continue;
    }
    if (actual === f.sha256.toLowerCase()) report.verified += 1;
    else report.mismatched.push({ path: f.path, file: found, expected: f.sha256.toLowerCase(), actual });
  }
  report.ok = report.missing.length === 0 && report.mismatched.length === 0 && report.unreadable.length === 0;
  return report;
}

async function cachedHash(found: string, file: DatasetFile, cache: HashCache | undefined): Promise<string> {
  if (!cache) return hashDatasetFile(found, file);
  const st = await stat(found);
  const known = cache.get(found, st.size, st.mtimeMs);
  if (known !== undefined) return known;
  const sha = await hashDatasetFile(found, file);
  cache.set(found, st.size, st.mtimeMs, sha);
  return sha;
}

/** Verifies a registered dataset where it is found (data root, then system folders). */
export async function verifyDataset(name: string, root?: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  const spec = getDataset(name);
  return verifyFolder(name, findDataset(name, root) ?? datasetPath(name, root), spec.files, options);
}

/** A human-readable summary, one problem per line (the first `limit` of each kind). */
export function formatVerifyReport(r: VerifyReport, limit = 10): string {
  const lines = [
    `${r.dataset} at ${r.dir}: ${r.ok ? 'OK' : 'FAILED'} (${r.verified} verified, ${r.unchecked.length} without checksum, ` +
      `${r.missing.length} missing, ${r.mismatched.length} mismatched, ${r.unreadable.length} unreadable)`,
  ];
  for (const p of r.missing.slice(0, limit)) lines.push(`  missing     ${p}`);
  for (const m of r.mismatched.slice(0, limit))
    lines.push(`  mismatch    ${m.path}: expected sha256 ${m.expected}, file ${m.file} has ${m.actual}`);
  for (const u of r.unreadable.slice(0, limit)) lines.push(`  unreadable  ${u.path}: ${u.error}`);
  const hidden = Math.max(0, r.missing.length - limit) + Math.max(0, r.mismatched.length - limit) + Math.max(0, r.unreadable.length - limit);
  if (hidden > 0) lines.push(`  … and ${hidden} more`);
  return lines.join('\n');
}
