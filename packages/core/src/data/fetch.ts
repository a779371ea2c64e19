import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { writeFileAtomic } from '../checkpoint/atomic.js';
import { type DatasetFile, type DatasetSpec, datasetPath, getDataset } from './dataset.js';
import { readTar } from './tar.js';
import { type VerifyReport, formatVerifyReport, verifyFolder } from './verify.js';

export type FetchFn = (url: string) => Promise<{ ok: boolean; status: number; arrayBuffer(): Promise<ArrayBuffer> }>;

export interface FetchDatasetOptions {
  /** Data root (see resolveDataRoot); the dataset is written to its folder there. */
  root?: string;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: FetchFn;
  log?: (line: string) => void;
  /** Parallel downloads for per-file datasets. */
  concurrency?: number;
}

/**
 * Downloads what is missing or wrong in the dataset's folder under the data root, verifies every
 * file against its SHA-256 before writing it atomically (core's writeFileAtomic: temp file + rename,
 * so an interrupted fetch never leaves a half-written file under its real name), and verifies the
 * whole folder at the end.
 * Throws with a per-file account when anything could not be obtained.
 */
export async function fetchDataset(name: string, options: FetchDatasetOptions = {}): Promise<{ dir: string; report: VerifyReport }> {
  const spec = getDataset(name);
  const dir = datasetPath(name, options.root);
  const log = options.log ?? (() => {});
  const fetchFn: FetchFn = options.fetch ?? ((url) => globalThis.fetch(url));
  const before = await verifyFolder(name, dir, spec.files);
  const bad = new Set([...before.missing, ...before.mismatched.map((m) => m.path), ...before.unreadable.map((u) => u.path)]);
  const present = new Set(spec.files.map((f) => f.path).filter((p) => !before.missing.includes(p)));
  // Optional files are fetched only when a source exists for them.
  const needed = spec.files.filter(
    (f) => bad.has(f.path) || (f.optional && !present.has(f.path) && (f.urls?.length ?? 0) > 0 && !spec.archive),
  );
  const errors: string[] = [];
  if (needed.length > 0) {
    log(`${name}: ${needed.length} file(s) to download into ${dir}`);
    if (spec.archive) await fromArchive(spec, dir, needed, fetchFn, log, errors);
    else await fromFiles(spec, dir, needed, fetchFn, log, errors, options.concurrency ?? 4);
  }
  const report = await verifyFolder(name, dir, spec.files);
  if (!report.ok || errors.length > 0) {
    throw new Error(
      `fetching dataset '${name}' from ${spec.archive?.url ?? spec.homepage} did not complete:\n` +
        [...errors.map((e) => `  ${e}`), formatVerifyReport(report)].join('\n'),
    );
  }
  log(formatVerifyReport(report));
  return { dir, report };
}

async function download(url: string, fetchFn: FetchFn): Promise<Uint8Array> {
  let res: Awaited<ReturnType<FetchFn>>;
  try {
    res = await fetchFn(url);
  } catch (e) {
    const cause = (e as { cause?: Error }).cause;
    throw new Error(`${url}: ${(e as Error).message}${cause ? ` (${cause.message})` : ''}`);
  }
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function targetPath(dir: string, relative: string): string {
  return join(dir, ...relative.split('/'));
}

async function fromFiles(
  spec: DatasetSpec,
  dir: string,
  needed: readonly DatasetFile[],
  fetchFn: FetchFn,
  log: (line: string) => void,
  errors: string[],
  concurrency: number,
): Promise<void> {
  const queue = [...needed];
  const worker = async (): Promise<void> => {
    for (let f = queue.shift(); f; f = queue.shift()) {
      if (!f.urls?.length) {
        errors.push(`${f.path}: no download address is known; see ${spec.homepage}`);
        continue;
      }
      const failures: string[] = [];
      for (const url of f.urls) {
        try {
          const bytes = await download(url, fetchFn);
          const gz = bytes[0] === 0x1f && bytes[1] === 0x8b && !f.path.endsWith('.gz');
          if (gz && !f.gzip) throw new Error(`${url}: got gzip data for ${f.path}, which is not stored gzipped`);
          const content = gz ? gunzipSync(bytes) : bytes;
          const actual = sha256(content);
          if (f.sha256 && actual !== f.sha256.toLowerCase())
            throw new Error(`${url}: sha256 ${actual}, expected ${f.sha256.toLowerCase()}`);
          const target = targetPath(dir, f.path) + (gz ? '.gz' : '');
          // A stale copy under the other name would shadow or duplicate the new one.
          if (f.gzip) rmSync(gz ? targetPath(dir, f.path) : `${targetPath(dir, f.path)}.gz`, { force: true });
          await writeFileAtomic(target, bytes);
          log(`  ${f.path} ← ${url} (${bytes.length} bytes)`);
          failures.length = 0;
          break;
        } catch (e) {
          failures.push((e as Error).message);
        }
      }
      if (failures.length > 0) errors.push(`${f.path}: ${failures.join('; ')}`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
}

async function fromArchive(
  spec: DatasetSpec,
  dir: string,
  needed: readonly DatasetFile[],
  fetchFn: FetchFn,
  log: (line: string) => void,
  errors: string[],
): Promise<void> {
  const archive = spec.archive!;
  let bytes: Uint8Array;
  try {
    bytes = await download(archive.url, fetchFn);
  } catch (e) {
    errors.push((e as Error).message);
    return;
  }
  if (archive.sha256 && sha256(bytes) !== archive.sha256.toLowerCase()) {
    errors.push(`${archive.url}: sha256 ${sha256(bytes)}, expected ${archive.sha256.toLowerCase()}`);
    return;
  }
  log(`  ${archive.url} (${bytes.length} bytes), unpacking`);
  const wanted = new Map(needed.map((f) => [f.path, f]));
  const written = new Set<string>();
  try {
    for (const entry of readTar(gunzipSync(bytes), archive.url)) {
      const rel = archive.member(entry.path);
      const f = rel === null ? undefined : wanted.get(rel);
      if (!f) continue;
      const actual = sha256(entry.data);
      if (f.sha256 && actual !== f.sha256.toLowerCase()) {
        errors.push(`${f.path} (archive member ${entry.path}): sha256 ${actual}, expected ${f.sha256.toLowerCase()}`);
        continue;
      }
      await writeFileAtomic(targetPath(dir, f.path), entry.data);
      written.add(f.path);
    }
  } catch (e) {
    errors.push(`${archive.url}: ${(e as Error).message}`);
    return;
  }
  for (const f of needed) if (!f.optional && !written.has(f.path)) errors.push(`${f.path}: not in ${archive.url}`);
}
