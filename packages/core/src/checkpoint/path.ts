import { join } from 'node:path';

// No tfjs here: the experiment runner's CLI process imports this (as @yoto/core/checkpoint-path)
// to find checkpoints without loading a tensor backend.

/** The file name the trainer keeps its latest checkpoint under, inside `checkpoint.dir`. */
export const CHECKPOINT_FILE = 'checkpoint.yotockpt';

export function checkpointPath(dir: string): string {
  return join(dir, CHECKPOINT_FILE);
}
