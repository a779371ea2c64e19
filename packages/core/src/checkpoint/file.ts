import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic.js';
import { CheckpointError } from './errors.js';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from './format.js';

export { CHECKPOINT_FILE, checkpointPath } from './path.js';

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
    const code = (err as { code?: unknown }).code;
    throw new CheckpointError(path, 'CHECKPOINT_UNREADABLE', code === 'ENOENT' ? 'does not exist' : `cannot be read (${(err as Error).message})`);
  }
  return decodeCheckpoint(bytes, path);
}
