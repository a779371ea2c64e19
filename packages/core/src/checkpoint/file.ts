import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic.js';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from './format.js';

/** The file name the trainer keeps its latest checkpoint under, inside `checkpoint.dir`. */
export const CHECKPOINT_FILE = 'checkpoint.yotockpt';

export function checkpointPath(dir: string): string {
  return join(dir, CHECKPOINT_FILE);
}

/** Writes a checkpoint atomically (a failed write never replaces a good file). */
export async function saveCheckpoint(path: string, checkpoint: Checkpoint): Promise<void> {
  await writeFileAtomic(path, encodeCheckpoint(checkpoint));
}

/** Reads and verifies a checkpoint; errors name the file and what is wrong. */
export async function readCheckpoint(path: string): Promise<Checkpoint> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new Error(`checkpoint ${path}: cannot be read (${(err as Error).message})`);
  }
  return decodeCheckpoint(bytes, path);
}
