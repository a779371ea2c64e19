import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../checkpoint/atomic.js';
import type { HashCache } from './verify.js';

interface Entry {
  size: number;
  mtimeMs: number;
  sha256: string;
}

/**
 * A HashCache kept in a JSON file. An entry counts only while the file's size and modification time
 * are exactly those it was hashed at: any rewrite (a fetch, a copy, an edit) changes the mtime, so
 * it is hashed again. An unreadable cache file is treated as empty — it only costs time.
 */
export class JsonHashCache implements HashCache {
  private readonly entries: Record<string, Entry>;
  private dirty = false;

  constructor(readonly path: string) {
    let entries: Record<string, Entry> = {};
    try {
      const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) entries = parsed as Record<string, Entry>;
    } catch {
      /* no cache yet */
    }
    this.entries = entries;
  }

  get(file: string, size: number, mtimeMs: number): string | undefined {
    const e = this.entries[file];
    return e !== undefined && e.size === size && e.mtimeMs === mtimeMs && typeof e.sha256 === 'string' ? e.sha256 : undefined;
  }

  set(file: string, size: number, mtimeMs: number, sha256: string): void {
    this.entries[file] = { size, mtimeMs, sha256 };
    this.dirty = true;
  }

  /** Writes the cache if it changed (atomically: a crash leaves the previous cache). */
  async save(): Promise<void> {
    if (!this.dirty) return;
    mkdirSync(dirname(this.path), { recursive: true });
    await writeFileAtomic(this.path, new TextEncoder().encode(JSON.stringify(this.entries)));
    this.dirty = false;
  }
}
