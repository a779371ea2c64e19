import { dirname, join } from 'node:path';
import { DataError } from '../errors.js';

/**
 * Checks, before any training, that every file of the named datasets is there and is the file the
 * experiment expects (SHA-256 against core's checksums). A corrupt Kodak image used to surface only
 * after all training (80 minutes at the default profile), a different valid image was evaluated
 * silently, and a corrupt BSDS500 JPEG failed inside training without naming the file.
 *
 * Hashes are cached by path, size and mtime in the per-user cache folder (beside the default data
 * root), so a rerun on unchanged data reads no file. The error names the first bad files and the
 * `pnpm data` command that mends them. `env` is the workers' environment: its data root is used.
 */
export async function verifyDatasets(names: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  const { requireDataset, verifyDataset, resolveDataRoot, defaultDataRoot, JsonHashCache } = await import('@yoto/core/data');
  // Only when the workers' data root differs from this process's is it passed explicitly, so that
  // core's "not found" message can say where the root came from.
  const root = (env.YOTO_DATA ?? '') === (process.env.YOTO_DATA ?? '') ? undefined : resolveDataRoot(undefined, env);
  const cache = new JsonHashCache(join(dirname(defaultDataRoot(env)), 'verified-files.json'));
  try {
    for (const name of names) {
      requireDataset(name, root);
      const r = await verifyDataset(name, root, { cache });
      if (r.ok) continue;
      const problems = [
        ...r.mismatched.map((m) => `${m.file} is not the expected file (sha256 ${m.actual.slice(0, 12)}…, expected ${m.expected.slice(0, 12)}…)`),
        ...r.unreadable.map((u) => `${join(r.dir, u.path)} cannot be read (${u.error})`),
        ...r.missing.map((p) => `${join(r.dir, p)} is missing`),
      ];
      const more = problems.length > 2 ? ` and ${problems.length - 2} more` : '';
      throw new DataError(
        `dataset ${name}: ${problems.slice(0, 2).join('; ')}${more}\n` +
          `\`pnpm data fetch ${name}\` replaces what is corrupt or missing; \`pnpm data verify ${name}\` lists every problem`,
      );
    }
  } finally {
    await cache.save().catch(() => undefined); // a cache that cannot be written only costs time
  }
}
