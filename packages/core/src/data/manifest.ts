/**
 * `sha256sum`-style manifests: one `<64 hex>  <path>` per line (a `*` before the path marks binary
 * mode and is ignored; a leading `./` is dropped). Blank lines and `#` comments are skipped.
 */
export interface ManifestEntry {
  path: string;
  sha256: string;
}

export function parseSha256Manifest(text: string, source = 'manifest'): ManifestEntry[] {
  const out: ManifestEntry[] = [];
  const seen = new Set<string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line);
    if (!m) throw new Error(`${source}, line ${i + 1}: expected '<64 hex digits>  <path>', got '${line}'`);
    let path = m[2].trim();
    if (path.startsWith('./')) path = path.slice(2);
    if (seen.has(path)) throw new Error(`${source}, line ${i + 1}: '${path}' is listed twice`);
    seen.add(path);
    out.push({ path, sha256: m[1].toLowerCase() });
  }
  return out;
}

/** The entries under `prefix/`, with the prefix removed (to cut one dataset out of a root manifest). */
export function manifestSubset(entries: readonly ManifestEntry[], prefix: string): ManifestEntry[] {
  const p = prefix.endsWith('/') ? prefix : `${prefix}/`;
  return entries.filter((e) => e.path.startsWith(p)).map((e) => ({ path: e.path.slice(p.length), sha256: e.sha256 }));
}
