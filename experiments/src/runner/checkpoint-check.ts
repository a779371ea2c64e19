import { DataError } from '../errors.js';
import type { Decision } from './resume.js';

/**
 * Reads every checkpoint the run will start from (a killed run's, or a finished run's that is
 * reused) before any worker starts: a truncated or corrupt one is named once, with how to recover,
 * instead of failing in every job that loads it, each with its own stack trace.
 */
export async function checkCheckpoints(decisions: readonly Decision[], checkpointOf: (runId: number) => string): Promise<void> {
  const { readCheckpoint } = await import('@yoto/core');
  for (const d of decisions) {
    if ((d.action !== 'reuse' && d.action !== 'resume') || !d.run.hasCheckpoint) continue;
    const path = checkpointOf(d.run.id);
    try {
      await readCheckpoint(path);
    } catch (e) {
      throw new DataError(
        `run ${d.run.name} (#${d.run.id}): ${(e as Error).message}\n` +
          `to recover, delete ${path} and run the same command again: that run then trains again from step 0`,
      );
    }
  }
}
