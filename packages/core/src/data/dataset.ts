import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DATA_ROOT_ENV, resolveDataRoot } from './root.js';

/** One file of a dataset. */
export interface DatasetFile {
  /** Path relative to the dataset folder, '/'-separated. */
  readonly path: string;
  /** SHA-256 of the file's bytes (of the decompressed bytes when `gzip` is set). */
  readonly sha256?: string;
  /** Where the file can be downloaded from, tried in order. */
  readonly urls?: readonly string[];
  /**
   * The file may be stored as `path` or gzipped as `path.gz` (distributions differ in which, and
   * recompress differently, so the checksum is taken over the decompressed content).
   */
  readonly gzip?: boolean;
  /** Not needed for the dataset to count as present; still verified when present. */
  readonly optional?: boolean;
}

/** A gzipped tar archive the dataset is normally distributed as. */
export interface DatasetArchive {
  readonly url: string;
  readonly format: 'tar.gz';
  readonly sha256?: string;
  /** Maps a member path of the archive to a path in the dataset folder, or null to skip it. */
  member(archivePath: string): string | null;
}

export interface DatasetSpec {
  readonly name: string;
  /** Folder under the data root. */
  readonly folder: string;
  readonly description: string;
  readonly files: readonly DatasetFile[];
  /** The public page the dataset is normally obtained from. */
  readonly homepage: string;
  readonly licence: string;
  /** When set, `fetchDataset` downloads this archive instead of the files' own urls. */
  readonly archive?: DatasetArchive;
  /** Folders outside the data root where a system package installs the dataset. */
  readonly systemPaths?: readonly string[];
  /** Approximate download size, for messages. */
  readonly downloadSize?: string;
}

const registry = new Map<string, DatasetSpec>();

export function registerDataset(spec: DatasetSpec): void {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(spec.name)) throw new Error(`dataset name '${spec.name}' must be lowercase letters, digits and '-'`);
  if (registry.has(spec.name)) throw new Error(`dataset '${spec.name}' is already registered`);
  const paths = new Set<string>();
  for (const f of spec.files) {
    if (f.path.startsWith('/') || f.path.split('/').includes('..'))
      throw new Error(`dataset '${spec.name}': file path '${f.path}' must be relative and stay inside the dataset folder`);
    if (paths.has(f.path)) throw new Error(`dataset '${spec.name}': file '${f.path}' is listed twice`);
    paths.add(f.path);
  }
  registry.set(spec.name, spec);
}

export function listDatasets(): DatasetSpec[] {
  return [...registry.values()];
}

export function getDataset(name: string): DatasetSpec {
  const spec = registry.get(name);
  if (!spec) {
    const known = [...registry.keys()].sort().join(', ') || '(none)';
    throw new Error(`unknown dataset '${name}'; known datasets: ${known}`);
  }
  return spec;
}

/** Where the dataset lives (or would live) under the data root; the folder may not exist. */
export function datasetPath(name: string, root?: string): string {
  return join(resolveDataRoot(root), getDataset(name).folder);
}

/** The on-disk path of one file in `dir`, accepting the gzipped variant where allowed; null if absent. */
export function locateFile(dir: string, file: DatasetFile): string | null {
  const plain = join(dir, ...file.path.split('/'));
  if (isFile(plain)) return plain;
  if (file.gzip && isFile(`${plain}.gz`)) return `${plain}.gz`;
  return null;
}

/** The required files of `spec` missing from `dir`. */
export function missingFiles(spec: DatasetSpec, dir: string): string[] {
  return spec.files.filter((f) => !f.optional && locateFile(dir, f) === null).map((f) => f.path);
}

/**
 * The dataset's folder when every required file is there (under the data root, else in one of the
 * spec's system folders); null otherwise. Checks presence only (see verifyDataset for checksums).
 */
export function findDataset(name: string, root?: string): string | null {
  const spec = getDataset(name);
  for (const dir of [datasetPath(name, root), ...(spec.systemPaths ?? [])]) {
    if (missingFiles(spec, dir).length === 0) return dir;
  }
  return null;
}

/** Thrown by requireDataset; the message says what is missing, where it looked and how to get it. */
export class DatasetNotFoundError extends Error {
  /** Lets callers that do not load core (the CLI's error printer) recognise it without the class. */
  readonly code = 'DATASET_NOT_FOUND';
  constructor(
    readonly dataset: string,
    message: string,
  ) {
    super(message);
    this.name = 'DatasetNotFoundError';
  }
}

export function requireDataset(name: string, root?: string): string {
  const found = findDataset(name, root);
  if (found !== null) return found;
  const spec = getDataset(name);
  const dir = datasetPath(name, root);
  const dataRoot = resolveDataRoot(root);
  const from =
    root !== undefined && root.trim() !== ''
      ? 'given explicitly'
      : process.env[DATA_ROOT_ENV]
        ? `from ${DATA_ROOT_ENV}`
        : `the default; set ${DATA_ROOT_ENV} to use another`;
  const missing = missingFiles(spec, dir);
  const required = spec.files.filter((f) => !f.optional).length;
  const what = existsSync(dir)
    ? `${dir} lacks ${missing.length} of its ${required} files (first: ${missing.slice(0, 3).join(', ')})`
    : `${dir} does not exist`;
  const system = spec.systemPaths?.length ? ` Also looked in ${spec.systemPaths.join(', ')}.` : '';
  throw new DatasetNotFoundError(
    name,
    `dataset '${name}' (${spec.description}) not found: ${what}; data root ${dataRoot} (${from}).${system} ` +
      `Get it from ${spec.homepage}${spec.downloadSize ? ` (about ${spec.downloadSize})` : ''} with ` +
      `\`npx tsx packages/core/src/data/cli.ts fetch ${name} --root ${dataRoot}\`, or place the files under ${dir}. ` +
      `Licence: ${spec.licence}`,
  );
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
